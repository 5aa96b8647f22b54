import { timeOrderedUuid } from '@holdfast/core';
import { isTransientDatabaseError, runWithinDeadline, withDatabaseRetry, writeAuditEvent, type AuditEventInput } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

/** The most one un-retried write may hold up the answer it belongs to (an insert takes milliseconds; past this it is spooled). */
const standaloneWriteBoundMs = 500;

/**
 * Writes an audit event that belongs to no transaction (a refused request: its transaction, if
 * any, rolled back) and never throws: an audit write failing must not turn a 4xx into a 500.
 * When the database cannot take it (a connection error, no primary accepting writes — the ha
 * classification), the event goes to the gateway's outage spool instead of being lost (issue 12).
 * Its id is fixed before the first try, so an insert that committed but whose answer was lost
 * and the spool's replay of it are one row (ON CONFLICT (event_id) DO NOTHING).
 */
export async function writeStandaloneAuditEvent(options: {
  deps: ServiceDeps;
  db: Parameters<typeof writeAuditEvent>[0];
  event: Omit<AuditEventInput, 'eventId' | 'occurredAt'>;
  /** Retry transient errors inside the request's deadline first (withDatabaseRetry). */
  isRetried?: boolean;
}): Promise<void> {
  const { deps } = options;
  const occurredAt = deps.clock();
  const eventId = timeOrderedUuid({ now: occurredAt, random: deps.random });
  const write = (): Promise<void> => writeAuditEvent(options.db, { ...options.event, eventId });
  try {
    // One try is bounded too: a commit waiting for a standby across a partition never errors, and
    // the answer this row records must not wait for it (issue 14). Spooled if it does not land in
    // time; should the commit land later as well, the event id makes the two one row.
    await (options.isRetried === true ? withDatabaseRetry(deps, write) : runWithinDeadline(standaloneWriteBoundMs, write));
  } catch (error) {
    // Anything else (a bug, a refused privilege) would fail again on replay: dropped, as before.
    if (deps.auditSpool !== undefined && isTransientDatabaseError(error)) {
      await deps.auditSpool.append({ ...options.event, eventId, occurredAt });
    }
  }
}
