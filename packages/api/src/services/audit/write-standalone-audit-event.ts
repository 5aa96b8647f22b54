import { timeOrderedUuid } from '@holdfast/core';
import { isTransientDatabaseError, withDatabaseRetry, writeAuditEvent, type AuditEventInput } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

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
    await (options.isRetried === true ? withDatabaseRetry(deps, write) : write());
  } catch (error) {
    // Anything else (a bug, a refused privilege) would fail again on replay: dropped, as before.
    if (deps.auditSpool !== undefined && isTransientDatabaseError(error)) {
      await deps.auditSpool.append({ ...options.event, eventId, occurredAt });
    }
  }
}
