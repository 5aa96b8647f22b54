/**
 * One sealed audit event as it leaves Holdfast (issue 12): the live stream's `data:`, one line of
 * `holdfast audit export --format ndjson`, the body of a forwarded syslog message, and the input
 * of the OCSF and ECS mappings. Every record carries its leaf index and the latest checkpoint, so
 * a receiver can ask for (`holdfast audit proof`) and check the record's place in the signed log.
 *
 * Only sealed events leave: a leaf index is final and totally ordered, so "resume after leaf N"
 * never skips a row that committed late (rows commit out of id order; the sealer orders them).
 */
export interface AuditRecordCheckpoint {
  treeSize: number;
  /** base64 (as in the checkpoint body). */
  rootHash: string;
  /** The C2SP signed note, verbatim. */
  note: string;
}

export interface AuditRecord {
  format: 'holdfast-audit-record/v1';
  leafIndex: number;
  eventId: string;
  /** ISO 8601, millisecond precision (the column's). */
  occurredAt: string;
  type: string;
  applicationId: string | null;
  userId: string | null;
  factorId: string | null;
  attemptId: string | null;
  gatewayId: string;
  region: string;
  /** The row's detail as written (never secrets: writers put none there, invariant 6). */
  detail: Record<string, unknown>;
  checkpoint: AuditRecordCheckpoint;
}

export const auditRecordFormat = 'holdfast-audit-record/v1';
