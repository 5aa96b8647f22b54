import { withTransaction, writeAuditEvent, type Database } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';
import { writeStandaloneAuditEvent } from './write-standalone-audit-event';

/** Why an API key was refused. */
export type ApiKeyRejection = 'missing' | 'malformed' | 'unknown_key' | 'revoked' | 'wrong_secret';

export interface AuthFailure {
  reason: ApiKeyRejection;
  /** The public key id, when the bearer parsed as an API key. */
  keyId: string | null;
  /** The application of a key that exists (revoked, wrong secret). */
  applicationId: string | null;
  /** The peer address, kept as one sample per key and minute. */
  ip: string | null;
}

/** Counts failed authentications; the gateway keeps one per process and flushes it on a timer. */
export interface AuthFailureRecorder {
  /** Resolves once the failure is safely counted: at once, or after the minute's first write. */
  record: (failure: AuthFailure) => Promise<void>;
  /** Writes the counts of minutes that have ended (or of every minute with `all`, at shutdown). */
  flush: (options?: { all?: boolean }) => Promise<void>;
}

const minuteMs = 60_000;
/** A bound on distinct (key, minute) entries held in memory; beyond it, failures fold into `(overflow)`. */
const maxEntries = 10_000;

/**
 * Only key ids that exist become their own counter row. Random key ids (an attacker's) all count
 * as `(unknown)`, so the table grows with real keys, not with the flood.
 */
function counterKeyOf(failure: AuthFailure): string {
  switch (failure.reason) {
    case 'missing':
      return '(missing)';
    case 'malformed':
      return '(malformed)';
    case 'unknown_key':
      return '(unknown)';
    case 'revoked':
    case 'wrong_secret':
      return failure.keyId ?? '(unknown)';
  }
}

interface Entry {
  counterKey: string;
  minute: number;
  /** Failures counted here and not yet written. */
  pending: number;
  firstSeen: Date;
  lastSeen: Date;
  sampleIp: string | null;
  applicationId: string | null;
  reason: ApiKeyRejection;
  keyId: string | null;
  /** The write in progress, so two writes of one entry never overlap. */
  writing: Promise<void> | null;
}

/**
 * Failed authentication is audited as a counter (issue 8, hole 4): per key id and minute, one row
 * in `auth_failure_counters` (`count = count + n`) and at most one `apikey.rejected` audit row —
 * written by whichever gateway inserts the minute's counter row first, in the same transaction
 * (invariant 7). In memory per gateway: the first failure of a (key, minute) is written at once
 * (the trail shows it promptly), the rest are added up and written when the minute has ended or
 * at shutdown — at most two writes per key, minute and gateway however large the flood.
 *
 * `db` should be the gateway's reserved pool: request traffic must not starve these writes.
 */
export function createAuthFailureRecorder(options: {
  db: Database;
  gateway: { id: string; region: string };
  clock: () => Date;
  onError?: (error: unknown) => void;
}): AuthFailureRecorder {
  const entries = new Map<string, Entry>();

  const write = async (entry: Entry): Promise<void> => {
    const count = entry.pending;
    if (count === 0) return;
    entry.pending = 0;
    try {
      await withTransaction(options.db.pool, null, async (client) => {
        const { rows } = await client.query<{ inserted: boolean }>(
          `INSERT INTO auth_failure_counters (key_id, minute, count, first_seen, last_seen, sample_ip, application_id, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7::uuid, $8)
           ON CONFLICT (key_id, minute) DO UPDATE
             SET count = auth_failure_counters.count + EXCLUDED.count,
                 first_seen = LEAST(auth_failure_counters.first_seen, EXCLUDED.first_seen),
                 last_seen = GREATEST(auth_failure_counters.last_seen, EXCLUDED.last_seen)
           RETURNING (xmax = 0) AS inserted`,
          [entry.counterKey, new Date(entry.minute), count, entry.firstSeen, entry.lastSeen, entry.sampleIp, entry.applicationId, entry.reason],
        );
        // The gateway that created the minute's row writes its one audit row; the others only count.
        if (rows[0]?.inserted === true) {
          await writeAuditEvent(client, {
            type: 'apikey.rejected',
            gatewayId: options.gateway.id,
            region: options.gateway.region,
            applicationId: entry.applicationId,
            // The key id is public (like a username); the secret part is never recorded.
            detail: { reason: entry.reason, keyId: entry.keyId, minute: new Date(entry.minute).toISOString(), counted: 'auth_failure_counters' },
          });
        }
      });
    } catch (error) {
      // Not lost: counted again on the next flush (the database may be failing over).
      entry.pending += count;
      options.onError?.(error);
    }
  };

  const writeSerialized = (entry: Entry): Promise<void> => {
    const previous = entry.writing ?? Promise.resolve();
    const next = previous.then(() => write(entry));
    entry.writing = next;
    return next.finally(() => {
      if (entry.writing === next) entry.writing = null;
    });
  };

  return {
    record: (failure) => {
      const now = options.clock();
      const minute = Math.floor(now.getTime() / minuteMs) * minuteMs;
      let counterKey = counterKeyOf(failure);
      if (entries.size >= maxEntries && !entries.has(`${counterKey}|${minute}`)) counterKey = '(overflow)';
      const mapKey = `${counterKey}|${minute}`;
      const entry = entries.get(mapKey);
      if (entry !== undefined) {
        entry.pending += 1;
        entry.lastSeen = now;
        return Promise.resolve();
      }
      const fresh: Entry = {
        counterKey,
        minute,
        pending: 1,
        firstSeen: now,
        lastSeen: now,
        sampleIp: failure.ip === null ? null : failure.ip.slice(0, 64),
        applicationId: failure.applicationId,
        reason: failure.reason,
        keyId: counterKey.startsWith('(') ? null : failure.keyId,
        writing: null,
      };
      entries.set(mapKey, fresh);
      return writeSerialized(fresh);
    },
    flush: async (flushOptions) => {
      const currentMinute = Math.floor(options.clock().getTime() / minuteMs) * minuteMs;
      const due = [...entries.entries()].filter(([, entry]) => flushOptions?.all === true || entry.minute < currentMinute);
      await Promise.all(due.map(([, entry]) => writeSerialized(entry)));
      for (const [mapKey, entry] of due) {
        // Ended minutes are forgotten once written; a failed write keeps them for the next flush.
        if (entry.minute < currentMinute && entry.pending === 0 && entry.writing === null) entries.delete(mapKey);
      }
    },
  };
}

/** For in-process callers without a gateway (tests): one audit row per failure, as before. */
export function createUncoalescedAuthFailureRecorder(deps: ServiceDeps): AuthFailureRecorder {
  return {
    record: async (failure) => {
      await writeStandaloneAuditEvent({
        deps,
        db: deps.db.pool,
        event: {
          type: 'apikey.rejected',
          gatewayId: deps.gateway.id,
          region: deps.gateway.region,
          applicationId: failure.applicationId,
          detail: { reason: failure.reason, keyId: failure.keyId },
        },
      });
    },
    flush: () => Promise.resolve(),
  };
}
