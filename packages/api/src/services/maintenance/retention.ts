import type { Database } from '@holdfast/db';
import { pushPairingTokenRetentionWhere, pushTransactionRetentionWhere } from '../push/expire-push';

type Pool = Database['pool'];

/**
 * The retention job (issue 8, hole 4): rows that only matter for a short while are deleted once
 * they no longer can: verification attempts, consumed or expired WebAuthn challenges, expired
 * enrollment links and sessions, expired hosted transactions and results, old failure counters.
 * Never audit rows: the sealed log (issue 12) allows a hole only below a signed "pruned below N"
 * mark, which `holdfast audit prune` makes with the migrator's role and the audit key. A plain
 * DELETE here would be exactly the tampering `holdfast audit verify` reports.
 *
 * Any gateway may run it; `pg_try_advisory_lock` makes one run at a time across all of them (the
 * others skip that round). Deletes go in batches of `batchSize` rows, each its own short statement
 * (autocommit), so no run holds locks for long or blocks the verification path.
 */
export interface RetentionPolicy {
  /**
   * Age after which attempts, and expired or consumed rows, are deleted. Must be longer than the
   * attempt replay window (10 minutes): a retry within the window must find its recorded outcome.
   */
  expiredRowHours: number;
  /** Failure counters (`auth_failure_counters`) are kept this many days. */
  authFailureCounterDays: number;
  batchSize: number;
  /** Bound on one run's work per table; the next run continues. */
  maxBatchesPerTable: number;
}

export const defaultRetentionPolicy: RetentionPolicy = {
  expiredRowHours: 24,
  authFailureCounterDays: 30,
  batchSize: 1000,
  maxBatchesPerTable: 50,
};

export interface RetentionReport {
  /** False when another process held the lock (it is doing this round). */
  ran: boolean;
  deleted: Record<string, number>;
  /** Tables whose delete failed (e.g. the gateway role may not delete audit rows), by message. */
  errors: Record<string, string>;
}

/** "hrt1": one retention run at a time across every gateway on the database. */
const retentionLockKey = 0x6872_7431;
const replayWindowHours = 10 / 60;

interface Task {
  table: string;
  /** A condition on the table's rows with `$1` = the cutoff time. */
  where: string;
  cutoff: Date;
}

function tasksFor(policy: RetentionPolicy, now: Date): Task[] {
  const hoursAgo = (hours: number): Date => new Date(now.getTime() - hours * 3_600_000);
  const expired = hoursAgo(policy.expiredRowHours);
  const tasks: Task[] = [
    { table: 'verification_attempts', where: 'created_at < $1', cutoff: expired },
    // A consumed challenge can never be used again; an expired one never at all.
    { table: 'webauthn_challenges', where: '(expires_at < $1 OR consumed_at < $1)', cutoff: expired },
    // A link lives until its session has ended too (a redeemed link's session outlives the link).
    { table: 'enrollment_links', where: 'expires_at < $1 AND (session_expires_at IS NULL OR session_expires_at < $1)', cutoff: expired },
    { table: 'verification_results', where: 'expires_at < $1', cutoff: expired },
    { table: 'verification_transactions', where: 'expires_at < $1', cutoff: expired },
    { table: 'auth_failure_counters', where: 'minute < $1', cutoff: hoursAgo(policy.authFailureCounterDays * 24) },
    { table: 'push_transactions', where: pushTransactionRetentionWhere, cutoff: expired },
    { table: 'push_pairing_tokens', where: pushPairingTokenRetentionWhere, cutoff: expired },
  ];
  return tasks;
}

export function validateRetentionPolicy(policy: RetentionPolicy): void {
  if (!(policy.expiredRowHours > replayWindowHours)) {
    throw new Error('retention of attempts must be longer than the 10-minute attempt replay window');
  }
  if (policy.batchSize < 1 || policy.maxBatchesPerTable < 1) throw new Error('retention batches must be at least 1 row and 1 batch');
  if (policy.authFailureCounterDays <= 0) throw new Error('retention days must be positive');
}

/** One retention run; returns without doing anything when another process holds the lock. */
export async function runRetention(options: { pool: Pool; policy: RetentionPolicy; now: Date }): Promise<RetentionReport> {
  validateRetentionPolicy(options.policy);
  const { batchSize, maxBatchesPerTable } = options.policy;
  const client = await options.pool.connect();
  // An object: set from callbacks, read in `finally` (a plain `let` would be narrowed to false).
  const connection = { isBroken: false };
  const onError = (): void => {
    connection.isBroken = true;
  };
  client.on('error', onError);
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [retentionLockKey]);
    if (rows[0]?.locked !== true) return { ran: false, deleted: {}, errors: {} };
    const deleted: Record<string, number> = {};
    const errors: Record<string, string> = {};
    try {
      for (const task of tasksFor(options.policy, options.now)) {
        deleted[task.table] = 0;
        try {
          for (let batch = 0; batch < maxBatchesPerTable; batch += 1) {
            // By ctid: one short statement per batch, whatever the table's key looks like.
            const result = await client.query(
              `DELETE FROM ${task.table} WHERE ctid = ANY(ARRAY(
                 SELECT ctid FROM ${task.table} WHERE ${task.where} LIMIT $2))`,
              [task.cutoff, batchSize],
            );
            const count = result.rowCount ?? 0;
            deleted[task.table] = (deleted[task.table] ?? 0) + count;
            if (count < batchSize) break;
          }
        } catch (error) {
          errors[task.table] = error instanceof Error ? error.message : String(error);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [retentionLockKey]).catch(() => {
        connection.isBroken = true;
      });
    }
    return { ran: true, deleted, errors };
  } finally {
    if (!connection.isBroken) client.off('error', onError);
    // A session whose unlock failed may still hold the lock: discard it rather than reuse it.
    client.release(connection.isBroken);
  }
}

/** Runs retention every `intervalMs` (first after `firstRunDelayMs`); `stop` waits for a run in progress. */
export function startRetentionJob(options: {
  pool: () => Pool;
  policy: RetentionPolicy;
  intervalMs: number;
  firstRunDelayMs: number;
  clock: () => Date;
  onReport?: (report: RetentionReport) => void;
  onError?: (error: unknown) => void;
}): { stop: () => Promise<void> } {
  validateRetentionPolicy(options.policy);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let isStopped = false;
  const tick = (): void => {
    running = runRetention({ pool: options.pool(), policy: options.policy, now: options.clock() })
      .then(
        (report) => options.onReport?.(report),
        (error: unknown) => options.onError?.(error),
      )
      .finally(() => {
        running = null;
        if (!isStopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  timer = setTimeout(tick, options.firstRunDelayMs);
  return {
    stop: async () => {
      isStopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}
