import { effectivePushStatus, HoldfastError, type PushTransactionStatus } from '@holdfast/core';
import { awaitReplicationBarrier, withDatabaseRetry } from '@holdfast/db';
import type { z } from 'zod';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import type { pushStatusOutput } from '../../schemas';
import { expirePushTransaction } from './expire-push';

export type PushStatusOutput = z.infer<typeof pushStatusOutput>;

/** How often a long-poll reads the row again when no notification can wake it (no listener). */
export const pushStatusPollMs = 250;
/** With the listener up, a notification wakes the long-poll; this re-read only covers a lost one. */
export const pushStatusListeningPollMs = 2_000;

interface StatusRow {
  id: string;
  application_id: string;
  user_id: string;
  attempt_id: string;
  status: PushTransactionStatus;
  reason: string | null;
  expires_at: Date;
  decided_at: Date | null;
  db_now: Date;
}

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * `verify.pushStatus` (and the hosted page's status): the transaction by id or attempt id, scoped
 * to the calling application (another application's is "not found", never "forbidden"), as
 * core's `effectivePushStatus` reports it: a pending row past its expiry (database clock) IS
 * expired, and this call writes that by compare-and-set (`expire-push.ts`) before answering.
 *
 * Long-poll: with `waitMs` > 0 it answers as soon as the status is no longer pending, or when
 * `waitMs` ends, or when the caller goes away (`signal`). While it waits it holds no database
 * connection (woken by the `holdfast_push` notification of whichever gateway decided —
 * push-status-signals.ts — with a re-read every 2 s; without the listener, one short read every
 * `pushStatusPollMs`) and — through `leaveAdmission`, the gateway's hook — no admission slot either; when
 * the gateway says it has too many waiting already, the current status is answered at once.
 * A decided status is answered only after the replication barrier (invariant 2), as verify.status.
 */
export async function getPushStatus(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  transactionId?: string | undefined;
  attemptId?: string | undefined;
  waitMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called once before the first wait: false = do not wait (the gateway's long-poll bound). */
  leaveAdmission?: (() => boolean) | undefined;
}): Promise<PushStatusOutput> {
  const { deps, application, signal } = options;
  const byId = options.transactionId !== undefined;
  const key = options.transactionId ?? options.attemptId;
  if (key === undefined) throw new HoldfastError('BAD_REQUEST', 'give a transactionId or an attemptId');
  const read = (): Promise<StatusRow> =>
    withDatabaseRetry(
      deps,
      async () => {
        const { rows } = await deps.db.pool.query<StatusRow>(
          `SELECT id, application_id, user_id, attempt_id, status::text AS status, reason, expires_at, decided_at, clock_timestamp() AS db_now
             FROM push_transactions WHERE application_id = $1 AND ${byId ? 'id = $2::uuid' : 'attempt_id = $2'}`,
          [application.id, key],
        );
        const row = rows[0];
        if (row === undefined) throw new HoldfastError('PUSH_TRANSACTION_NOT_FOUND', 'no push transaction with this id for this application');
        return row;
      },
      signal,
    );
  const effective = (row: StatusRow): PushTransactionStatus => effectivePushStatus({ status: row.status, expiresAt: row.expires_at, now: row.db_now });

  let row = await read();
  const waitMs = options.waitMs ?? 0;
  const deadline = Date.now() + waitMs;
  let isWaiting = false;
  while (effective(row) === 'pending' && signal?.aborted !== true) {
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) break;
    if (!isWaiting) {
      if (options.leaveAdmission !== undefined && !options.leaveAdmission()) break;
      isWaiting = true;
    }
    // Wake in time for the expiry too, so `expired` is answered when it happens, not at the deadline.
    const untilExpiryMs = row.expires_at.getTime() - row.db_now.getTime();
    const signals = deps.pushSignals;
    if (signals?.isListening === true) {
      // Armed before this read, so a decision committed after it wakes the wait (NOTIFY from the
      // status trigger, on whichever gateway decided); the slow re-read only covers a lost one.
      const armed = signals.arm(row.id);
      const fresh = await read();
      if (effective(fresh) !== 'pending') {
        armed.cancel();
        row = fresh;
        break;
      }
      await armed.wait(Math.max(1, Math.min(pushStatusListeningPollMs, leftMs, untilExpiryMs + 1)), signal);
    } else {
      await sleep(Math.max(1, Math.min(pushStatusPollMs, leftMs, untilExpiryMs + 1)), signal);
    }
    row = await read();
  }

  if (row.status === 'pending' && effective(row) === 'expired') {
    // Past its expiry by the database's clock: write it (one statement: CAS + audit), then report
    // what is stored — whoever wrote it, the row says the same to every reader from now on.
    const current = row;
    await withDatabaseRetry(
      deps,
      () =>
        expirePushTransaction(deps.db.pool, deps, {
          id: current.id,
          applicationId: current.application_id,
          userId: current.user_id,
          attemptId: current.attempt_id,
        }),
      signal,
    );
    row = await read();
  }
  const status = effective(row);
  if (status !== 'pending') await withDatabaseRetry(deps, (deadline) => awaitReplicationBarrier(deps.db.pool, deadline), signal);
  return {
    transactionId: row.id,
    status,
    reason: status === row.status ? row.reason : 'expired',
    expiresAt: row.expires_at,
    decidedAt: status === row.status ? row.decided_at : row.expires_at,
  };
}
