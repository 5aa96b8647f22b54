import { auditLeafEntry, auditLeafHash } from '@holdfast/core';

/**
 * The columns of an audit row that its leaf seals — every column a writer sets, so no edit of
 * content, time, actor or place goes unseen. (`id` and `xid` are the row's address and the
 * sealer's bookkeeping; the leaf binds `event_id` instead, which a writer chose.)
 */
export const sealedColumns = `e.id::text AS id, e.event_id::text AS event_id, e.occurred_at, e.type, e.application_id::text AS application_id,
  e.user_id::text AS user_id, e.factor_id::text AS factor_id, e.attempt_id, e.gateway_id, e.region, e.detail`;

export interface SealedRow {
  /** bigint, as text: ids pass 2^53 long before anyone notices. */
  id: string;
  event_id: string;
  occurred_at: Date;
  type: string;
  application_id: string | null;
  user_id: string | null;
  factor_id: string | null;
  attempt_id: string | null;
  gateway_id: string;
  region: string;
  /** jsonb as node-postgres parses it: the canonical form re-sorts keys, so key order never matters. */
  detail: unknown;
}

/** The canonical bytes of a row (core auditLeafEntry): what the leaf hashes, what a proof carries. */
export function leafEntryOf(row: SealedRow): Uint8Array {
  return auditLeafEntry({
    eventId: row.event_id,
    occurredAt: row.occurred_at,
    type: row.type,
    applicationId: row.application_id,
    userId: row.user_id,
    factorId: row.factor_id,
    attemptId: row.attempt_id,
    gatewayId: row.gateway_id,
    region: row.region,
    detail: row.detail,
  });
}

export function leafHashOf(row: SealedRow): Uint8Array {
  return auditLeafHash(leafEntryOf(row));
}
