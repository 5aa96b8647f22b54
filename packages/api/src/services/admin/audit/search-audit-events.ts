import { HoldfastError, openSignedNote, parseVerifierKey } from '@holdfast/core';
import { withDatabaseRetry, withTransaction, type SqlClient } from '@holdfast/db';
import type { AdminAuditEvent, AdminAuditSearchFilters, adminAuditGetOutput, adminAuditSearchOutput } from '@holdfast/validators';
import type { z } from 'zod';
import type { ServiceDeps } from '../../../deps';
import { AuditProofError, buildAuditInclusionProof } from '../../audit-log/audit-proof';
import { auditFilterSql } from './audit-filters';

type Sql = Pick<SqlClient, 'query'>;

/**
 * A search is one statement with a LIMIT, but a filter the indexes do not serve (a rare gateway
 * over a year of rows) could still scan far: it is cut off here instead of holding a request
 * connection, and the admin is told to narrow it.
 */
export const searchStatementTimeoutMs = 5_000;

interface EventRow {
  id: string;
  event_id: string;
  leaf_index: string | null;
  occurred_at: Date;
  type: string;
  application_id: string | null;
  external_user_id: string | null;
  factor_id: string | null;
  attempt_id: string | null;
  gateway_id: string;
  region: string;
  detail: unknown;
}

// The user is shown as the application's own id (users.external_id), never the internal uuid.
const eventColumns = `e.id::text AS id, e.event_id::text AS event_id, l.leaf_index::text AS leaf_index, e.occurred_at, e.type,
  e.application_id::text AS application_id, u.external_id AS external_user_id, e.factor_id::text AS factor_id, e.attempt_id,
  e.gateway_id, e.region, e.detail`;
const eventJoins = 'LEFT JOIN audit_leaves l ON l.audit_event_id = e.id LEFT JOIN users u ON u.id = e.user_id';

function eventOf(row: EventRow): AdminAuditEvent {
  const detail = typeof row.detail === 'object' && row.detail !== null && !Array.isArray(row.detail) ? (row.detail as Record<string, unknown>) : {};
  return {
    id: row.id,
    eventId: row.event_id,
    leafIndex: row.leaf_index === null ? null : Number(row.leaf_index),
    occurredAt: row.occurred_at.toISOString(),
    type: row.type,
    applicationId: row.application_id,
    userId: row.external_user_id,
    factorId: row.factor_id,
    attemptId: row.attempt_id,
    gatewayId: row.gateway_id,
    region: row.region,
    detail,
  };
}

/** The paging cursor is the last row id of the previous page (a bigint, as text). */
function cursorOf(cursor: string | null): string | null {
  if (cursor === null) return null;
  if (!/^\d{1,19}$/.test(cursor)) throw new HoldfastError('BAD_REQUEST', 'cursor: not one this search handed out');
  return cursor;
}

function isStatementTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '57014';
}

/**
 * The search's own statement timeout (57014) is the admin's filter, not the database failing
 * over: mapped to BAD_REQUEST inside the retried work, so withDatabaseRetry (which counts 57014 as
 * transient — a failover can cancel statements) passes it straight through instead of retrying
 * the same slow search until the deadline and answering DATABASE_UNAVAILABLE.
 */
export function searchErrorOf(error: unknown): unknown {
  return isStatementTimeout(error) ? new HoldfastError('BAD_REQUEST', 'the search took too long: narrow it (application, type or a time range)') : error;
}

/**
 * admin.audit.search: audit rows matching the filters, newest first (by row id, the order rows
 * were written), `limit` per page; `nextCursor` continues after the last row. Sealed or not: the
 * console shows an event at once, its leaf index once the sealer has ordered it.
 */
export async function searchAuditEvents(options: {
  deps: Pick<ServiceDeps, 'db' | 'requestDeadlineMs' | 'onRetried'>;
  filters: AdminAuditSearchFilters;
  limit: number;
  cursor: string | null;
  signal?: AbortSignal;
  /** Tests only: a shorter cut-off than searchStatementTimeoutMs. */
  statementTimeoutMs?: number;
}): Promise<z.infer<typeof adminAuditSearchOutput>> {
  const { deps, limit } = options;
  const before = cursorOf(options.cursor);
  const timeoutMs = Math.max(1, Math.trunc(options.statementTimeoutMs ?? searchStatementTimeoutMs));
  return withDatabaseRetry(
    deps,
    (deadline) =>
      withTransaction(deps.db.pool, deadline, async (client) => {
        await client.query(`SET LOCAL statement_timeout = ${String(timeoutMs)}`);
        try {
          const filter = await auditFilterSql(client, options.filters, 3);
          if (filter.isEmpty) return { events: [], nextCursor: null };
          // One row more than the page: whether a next page exists, without a count.
          const { rows } = await client.query<EventRow>(
            `SELECT ${eventColumns} FROM audit_events e ${eventJoins}
              WHERE ($1::bigint IS NULL OR e.id < $1::bigint) AND ${filter.where}
              ORDER BY e.id DESC LIMIT $2`,
            [before, limit + 1, ...filter.values],
          );
          const page = rows.slice(0, limit).map(eventOf);
          return { events: page, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
        } catch (error) {
          throw searchErrorOf(error);
        }
      }),
    options.signal,
  );
}

/** How long an admin.audit.get waits for the process's proof build before it is told to retry. */
export const proofWaitMs = 2_000;

/**
 * One proof build at a time per process (each reads every leaf hash, in chunks: O(n) reads and
 * hashes on a worker that also serves logins). Others wait up to `proofWaitMs` for it to finish,
 * then get GATEWAY_OVERLOADED (503, Retry-After): busy, retry.
 */
const proofSlot: { running: Promise<unknown> | null } = { running: null };

export async function withProofSlot<T>(work: () => Promise<T>, waitMs = proofWaitMs): Promise<T> {
  const deadline = Date.now() + waitMs;
  // Re-checked after every wait: several waiters wake together and only the first takes the slot.
  while (proofSlot.running !== null) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new HoldfastError('GATEWAY_OVERLOADED', 'another inclusion proof is being built on this gateway: retry in a moment', { retryAfterMs: 1_000 });
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      proofSlot.running.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, remaining);
      }),
    ]);
    clearTimeout(timer);
  }
  const running = work();
  proofSlot.running = running;
  try {
    return await running;
  } finally {
    proofSlot.running = null;
  }
}

/** hex of base64 (the console's proof shape carries hex hashes). */
const hexOf = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');

/**
 * admin.audit.get: one event and, when it is sealed, its inclusion proof against the latest
 * checkpoint — built by the same code as `holdfast audit proof` (which refuses to hand out a proof
 * that does not verify). The proof carries the canonical leaf entry and the verifier key, so it
 * verifies offline with nothing else (the event's userId shown is the application's, not the one sealed).
 */
export async function getAuditEvent(options: { deps: ServiceDeps; eventId: string; signal?: AbortSignal }): Promise<z.infer<typeof adminAuditGetOutput>> {
  const { deps } = options;
  const sql: Sql = deps.db.pool;
  const { rows } = await withDatabaseRetry(
    deps,
    () => sql.query<EventRow>(`SELECT ${eventColumns} FROM audit_events e ${eventJoins} WHERE e.event_id = $1::uuid`, [options.eventId]),
    options.signal,
  );
  const row = rows[0];
  if (row === undefined) return { event: null, proof: null };
  const event = eventOf(row);
  if (event.leafIndex === null) return { event, proof: null };
  try {
    const built = await withProofSlot(() =>
      buildAuditInclusionProof({ sql, reference: row.event_id, ...(options.signal === undefined ? {} : { signal: options.signal }) }),
    );
    const key = parseVerifierKey(built.verifierKey);
    const opened = key === null ? null : openSignedNote({ note: built.checkpoint, keyName: key.keyName, publicKey: key.publicKey });
    if (opened === null) return { event, proof: null };
    return {
      event,
      proof: {
        leafIndex: built.leafIndex,
        treeSize: built.treeSize,
        rootHash: Buffer.from(opened.rootHash).toString('hex'),
        path: built.inclusionProof.map(hexOf),
        checkpoint: built.checkpoint,
        leafEntry: built.leafEntry,
        verifierKey: built.verifierKey,
      },
    };
  } catch (error) {
    // Not coverable yet, or the row no longer matches its leaf (admin.audit.verify names it).
    if (error instanceof AuditProofError) return { event, proof: null };
    throw error;
  }
}
