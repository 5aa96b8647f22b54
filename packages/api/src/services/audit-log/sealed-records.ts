import { auditRecordFormat, type AuditRecord, type AuditRecordCheckpoint } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import { sealedColumns, type SealedRow } from './audit-rows';
import { readLatestCheckpoint } from './audit-tree';

type Sql = Pick<SqlClient, 'query'>;

/**
 * Sealed audit records in leaf order (issue 12): what the live stream, the export and the syslog
 * forwarder send. Leaf order is the one total order of the log, so a reader resumes exactly after
 * the last leaf index it handled. Rows removed by retention (below a signed "pruned below" mark)
 * simply do not appear; their leaves stay.
 */
export interface SealedRecordQuery {
  /** Return leaves with index > afterLeafIndex (-1: from the start). */
  afterLeafIndex: number;
  /** Only events that occurred at or after / before these times. */
  since?: Date;
  until?: Date;
  /** Only this application's events (a relying application's stream sees nothing else). */
  applicationId?: string;
  /** At most this many records (1..10,000). */
  limit: number;
}

export interface SealedRecordPage {
  records: AuditRecord[];
  /** Resume from here: the last leaf index this page scanned (>= the last record's). */
  lastLeafIndex: number;
  /** The latest checkpoint (null before the first seal). Every record carries it too. */
  checkpoint: AuditRecordCheckpoint | null;
}

/** A sealed row with its leaf index (`SELECT l.leaf_index::text AS leaf_index, ${sealedColumns}`). */
export interface SealedLeafRow extends SealedRow {
  leaf_index: string;
}

function detailOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The one outbound shape of a sealed row (stream, forwarder, exports), carrying the latest checkpoint. */
export function auditRecordOf(row: SealedLeafRow, checkpoint: AuditRecordCheckpoint): AuditRecord {
  return {
    format: auditRecordFormat,
    leafIndex: Number(row.leaf_index),
    eventId: row.event_id,
    occurredAt: row.occurred_at.toISOString(),
    type: row.type,
    applicationId: row.application_id,
    userId: row.user_id,
    factorId: row.factor_id,
    attemptId: row.attempt_id,
    gatewayId: row.gateway_id,
    region: row.region,
    detail: detailOf(row.detail),
    checkpoint,
  };
}

export async function readSealedRecords(sql: Sql, query: SealedRecordQuery): Promise<SealedRecordPage> {
  const limit = Math.min(Math.max(Math.trunc(query.limit), 1), 10_000);
  const latest = await readLatestCheckpoint(sql);
  if (latest === undefined) return { records: [], lastLeafIndex: query.afterLeafIndex, checkpoint: null };
  const checkpoint: AuditRecordCheckpoint = {
    treeSize: latest.treeSize,
    rootHash: Buffer.from(latest.rootHash).toString('base64'),
    note: latest.note,
  };
  // Leaves below the checkpoint's size only: they and the checkpoint committed together, so the
  // record's checkpoint always covers it (a proof of inclusion exists for every record sent).
  const { rows } = await sql.query<SealedLeafRow>(
    `SELECT l.leaf_index::text AS leaf_index, ${sealedColumns}
       FROM audit_leaves l
       JOIN audit_events e ON e.id = l.audit_event_id
      WHERE l.leaf_index > $1::bigint AND l.leaf_index < $2::bigint
        AND ($3::timestamptz IS NULL OR e.occurred_at >= $3::timestamptz)
        AND ($4::timestamptz IS NULL OR e.occurred_at < $4::timestamptz)
        AND ($5::uuid IS NULL OR e.application_id = $5::uuid)
      ORDER BY l.leaf_index
      LIMIT $6`,
    [query.afterLeafIndex, latest.treeSize, query.since ?? null, query.until ?? null, query.applicationId ?? null, limit],
  );
  const records = rows.map((row) => auditRecordOf(row, checkpoint));
  // A page shorter than the limit scanned every leaf up to the checkpoint: resume from its end,
  // so a filtered reader does not rescan other applications' leaves.
  const last = records.at(-1);
  const lastLeafIndex = records.length < limit ? Math.max(query.afterLeafIndex, latest.treeSize - 1) : (last?.leafIndex ?? query.afterLeafIndex);
  return { records, lastLeafIndex, checkpoint };
}
