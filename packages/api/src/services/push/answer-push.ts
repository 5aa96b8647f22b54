import {
  decidePushAnswer,
  defaultAccountHardLimit,
  permanentLockUntil,
  isFactorLocked,
  lockAfterFailure,
  pushAnswerSignedBytes,
  pushSuspendedUntilAfterFraud,
  type PushAnswerDecision,
  type PushDecision,
  type PushTransactionStatus,
} from '@holdfast/core';
import { awaitReplicationBarrier, withDatabaseRetry, withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import { createHash } from 'node:crypto';
import type { ServiceDeps } from '../../deps';
import { readPushDevice, refusePushRequest, touchPushDevice, verifyPushDeviceRequest, type PushDeviceRow, type PushRefusalReason } from './push-device-auth';
import { lockoutPolicyFor } from '../verify/lockout-policy';

export interface PushAnswerResult {
  status: PushTransactionStatus;
  reason: string;
}

type TransactionRow = {
  id: string;
  user_id: string;
  application_id: string;
  attempt_id: string;
  number: string;
  status: PushTransactionStatus;
  reason: string | null;
  expires_at: Date;
  device_id: string | null;
  answer_signature_sha256: Uint8Array | null;
};

type Transition = Extract<PushAnswerDecision, { isTransition: true }>;

/** What the write found: applied, an earlier identical answer of this device, or nothing to act on. */
type Applied = { kind: 'applied'; result: PushAnswerResult } | { kind: 'recorded'; result: PushAnswerResult } | { kind: 'refused'; reason: PushRefusalReason };

const transactionColumns = 'id, user_id, application_id, attempt_id, number, status::text AS status, reason, expires_at, device_id, answer_signature_sha256';

/**
 * A device's signed answer (approve with the typed number, deny, report fraud), per core
 * push/index.ts:
 * 1. Read the device and the transaction (which must be the device's user's, in its application).
 * 2. Verify the signature over `pushAnswerSignedBytes` rebuilt from the STORED transaction id and
 *    this gateway's audience — a signature captured for another transaction, application or
 *    deployment proves nothing here.
 * 3. core `decidePushAnswer` (a wrong number DENIES; a late answer EXPIRES the transaction).
 * 4. ONE compare-and-set, by the database clock: `… WHERE id = $1 AND status = 'pending' AND
 *    (expires_at > now()) = ($to <> 'expired')`, with its audit row in the same transaction
 *    (invariant 7) — an answer counts once across every gateway (invariant 5), and no expired
 *    transaction is ever approved. The user's row is locked first (the lock order of every write
 *    path, and of pushBegin); fraud sets `push_suspended_until`; a wrong number counts toward the
 *    push factor's lockout (invariant 4).
 * 5. 0 rows: this device's identical answer already landed (same device, same signature) → its
 *    recorded outcome, after the replication barrier (a lost response re-sent); otherwise refused.
 * The outcome is acknowledged only after a replicated COMMIT (`withTransaction` throws
 * CommitNotReplicatedError otherwise; the retry finds the recorded outcome).
 */
export async function answerPush(options: {
  deps: ServiceDeps;
  deviceId: string;
  transactionId: string;
  typedNumber: string;
  decision: PushDecision;
  deviceTime: number;
  signature: string;
  signal?: AbortSignal;
}): Promise<PushAnswerResult> {
  const { deps } = options;
  const signatureSha256 = createHash('sha256').update(Buffer.from(options.signature, 'base64url')).digest();
  const refuse = (reason: PushRefusalReason, device: PushDeviceRow | undefined, problem?: string): Promise<never> =>
    refusePushRequest({
      deps,
      reason,
      deviceId: options.deviceId,
      device,
      transactionId: options.transactionId,
      procedure: 'deviceAnswer',
      ...(problem === undefined ? {} : { problem }),
    });

  const answered = await withDatabaseRetry(
    deps,
    async (deadline): Promise<{ result: PushAnswerResult; isRecorded: boolean }> => {
      const device = await readPushDevice(deps.db.pool, options.deviceId);
      const transaction = device === undefined ? undefined : await readTransaction(deps.db.pool, options.transactionId, device);
      const { device: verified } = await verifyPushDeviceRequest({
        deps,
        deviceId: options.deviceId,
        device,
        deviceTimeMs: options.deviceTime,
        signature: options.signature,
        procedure: 'deviceAnswer',
        transactionId: options.transactionId,
        buildPayload: ({ audience, deviceTime }) =>
          pushAnswerSignedBytes({
            transactionId: transaction?.id ?? options.transactionId,
            typedNumber: options.typedNumber,
            decision: options.decision,
            deviceTime,
            audience,
          }),
      });
      if (transaction === undefined) return refuse('unknown_transaction', verified);

      const now = deps.clock();
      const decision = decidePushAnswer({
        transaction: {
          id: transaction.id,
          status: transaction.status,
          expiresAt: transaction.expires_at,
          number: transaction.number,
          userId: transaction.user_id,
          deviceIds: [verified.factor_id],
        },
        answer: {
          transactionId: transaction.id,
          typedNumber: options.typedNumber,
          decision: options.decision,
          deviceTime: new Date(options.deviceTime),
          deviceId: verified.factor_id,
        },
        now,
      });
      if (!decision.isTransition) {
        if (decision.reason === 'not_pending' && isSameAnswer(transaction, verified.factor_id, signatureSha256)) {
          return { result: recordedResult(transaction), isRecorded: true };
        }
        return refuse(decision.reason, verified);
      }
      // A locked push factor approves nothing until it unlocks (deny and fraud still land).
      if (decision.status === 'approved' && isFactorLocked({ lockedUntil: verified.factor_locked_until, now })) return refuse('device_locked', verified);

      const applied = await withTransaction(deps.db.pool, deadline, (sql) =>
        applyTransition({ sql, deps, device: verified, transaction, decision, signatureSha256 }),
      );
      if (applied.kind === 'refused') return refuse(applied.reason, verified);
      return { result: applied.result, isRecorded: applied.kind === 'recorded' };
    },
    options.signal,
  );
  // An outcome read from the table (not this request's own replicated commit) is answered only
  // once the standby has it too (invariant 2).
  if (answered.isRecorded) await withDatabaseRetry(deps, (deadline) => awaitReplicationBarrier(deps.db.pool, deadline), options.signal);
  return answered.result;
}

async function readTransaction(sql: Pick<SqlClient, 'query'>, transactionId: string, device: PushDeviceRow): Promise<TransactionRow | undefined> {
  // Another user's or another application's transaction is, for this device, an unknown one.
  const { rows } = await sql.query<TransactionRow>(
    `SELECT ${transactionColumns} FROM push_transactions WHERE id = $1 AND user_id = $2 AND application_id = $3`,
    [transactionId, device.user_id, device.application_id],
  );
  return rows[0];
}

function isSameAnswer(transaction: TransactionRow, deviceId: string, signatureSha256: Uint8Array): boolean {
  const stored = transaction.answer_signature_sha256;
  return transaction.device_id === deviceId && stored !== null && Buffer.from(stored).equals(signatureSha256);
}

function recordedResult(transaction: Pick<TransactionRow, 'status' | 'reason'>): PushAnswerResult {
  return { status: transaction.status, reason: transaction.reason ?? transaction.status };
}

const auditTypeByReason = {
  approved: 'push.approved',
  denied_by_user: 'push.denied',
  wrong_number: 'push.denied',
  fraud_reported: 'push.fraud_reported',
  expired: 'push.expired',
} as const;

async function applyTransition(options: {
  sql: SqlClient;
  deps: ServiceDeps;
  device: PushDeviceRow;
  transaction: TransactionRow;
  decision: Transition;
  signatureSha256: Uint8Array;
}): Promise<Applied> {
  const { sql, deps, device, transaction, signatureSha256 } = options;
  // User first: the lock order of every write path (pushBegin too), so answers and begins of one
  // user serialize instead of deadlocking.
  const users = await sql.query<{ locked_until: Date | null; push_suspended_until: Date | null; push_fraud_suspension_seconds: number }>(
    `SELECT u.locked_until, u.push_suspended_until, a.push_fraud_suspension_seconds FROM users u JOIN applications a ON a.id = u.application_id
      WHERE u.id = $1 FOR UPDATE OF u`,
    [transaction.user_id],
  );
  const user = users.rows[0];
  if (user === undefined) return { kind: 'refused', reason: 'unknown_device' };
  // A locked account approves nothing (as it verifies no code); deny and fraud still land.
  if (options.decision.status === 'approved' && isFactorLocked({ lockedUntil: user.locked_until, now: deps.clock() })) {
    return { kind: 'refused', reason: 'account_locked' };
  }

  let decision = options.decision;
  let updated = await compareAndSet(sql, { transactionId: transaction.id, decision, deviceId: device.factor_id, signatureSha256 });
  if (updated === undefined) {
    const current = (
      await sql.query<TransactionRow & { is_past: boolean }>(
        `SELECT ${transactionColumns}, expires_at <= now() AS is_past FROM push_transactions WHERE id = $1`,
        [transaction.id],
      )
    ).rows[0];
    if (current === undefined) return { kind: 'refused', reason: 'unknown_transaction' };
    if (isSameAnswer(current, device.factor_id, signatureSha256)) return { kind: 'recorded', result: recordedResult(current) };
    const isDeviceActive = (await sql.query(`SELECT 1 FROM factors WHERE id = $1 AND status = 'active'`, [device.factor_id])).rowCount === 1;
    if (!isDeviceActive) return { kind: 'refused', reason: 'device_inactive' };
    // Still pending, but the database's clock says it expired: by that clock, the answer is late.
    if (current.status === 'pending' && current.is_past && decision.status !== 'expired') {
      decision = { isTransition: true, status: 'expired', reason: 'expired', shouldSuspendPush: false };
      updated = await compareAndSet(sql, { transactionId: transaction.id, decision, deviceId: device.factor_id, signatureSha256 });
    }
    if (updated === undefined) return { kind: 'refused', reason: 'not_pending' };
  }

  const now = options.deps.clock();
  const audit = {
    gatewayId: deps.gateway.id,
    region: deps.gateway.region,
    applicationId: transaction.application_id,
    userId: transaction.user_id,
    factorId: device.factor_id,
    attemptId: transaction.attempt_id,
  };
  await writeAuditEvent(sql, {
    ...audit,
    type: auditTypeByReason[decision.reason],
    detail: { kind: 'push', transactionId: transaction.id, reason: decision.reason, deviceId: device.factor_id },
  });
  if (decision.shouldSuspendPush) {
    const suspendedUntil = pushSuspendedUntilAfterFraud({
      now,
      currentSuspendedUntil: user.push_suspended_until,
      suspensionMs: user.push_fraud_suspension_seconds * 1000,
    });
    await sql.query('UPDATE users SET push_suspended_until = $2 WHERE id = $1', [transaction.user_id, suspendedUntil]);
  }
  if (decision.reason === 'approved') {
    // A success ends the runs of consecutive failures (factor and account), as a verified code does.
    await sql.query('UPDATE factors SET last_used_at = now(), failed_count = 0 WHERE id = $1', [device.factor_id]);
    await sql.query('UPDATE users SET failed_count = 0 WHERE id = $1 AND failed_count <> 0', [transaction.user_id]);
  } else if (decision.reason === 'wrong_number') {
    await countWrongNumber({ sql, deps, deviceId: device.factor_id, audit, now });
  }
  await touchPushDevice(sql, device.factor_id);
  return { kind: 'applied', result: { status: updated.status, reason: updated.reason ?? decision.reason } };
}

/**
 * The compare-and-set (invariant 5): from `pending` only, and by the DATABASE clock — to approved
 * or denied only while live, to expired only once past — and only while the device is still an
 * active factor (a removal that commits first wins).
 */
async function compareAndSet(
  sql: SqlClient,
  options: { transactionId: string; decision: Transition; deviceId: string; signatureSha256: Uint8Array },
): Promise<{ status: PushTransactionStatus; reason: string | null } | undefined> {
  const { rows } = await sql.query<{ status: PushTransactionStatus; reason: string | null }>(
    `UPDATE push_transactions
        SET status = $2::push_transaction_status, reason = $3, decided_at = now(), device_id = $4, answer_signature_sha256 = $5
      WHERE id = $1 AND status = 'pending' AND (expires_at > now()) = ($2::text <> 'expired')
        AND EXISTS (SELECT 1 FROM factors f WHERE f.id = $4 AND f.status = 'active')
      RETURNING status::text AS status, reason`,
    [options.transactionId, options.decision.status, options.decision.reason, options.deviceId, options.signatureSha256],
  );
  return rows[0];
}

/**
 * A wrong number is a failed guess with the device key (a bot holding the key gets one guess per
 * push): counted on the push factor like a wrong code (invariant 4), under the user's row lock,
 * locking the factor at the policy's threshold (`factor.locked`, the application's webhook hears it).
 */
async function countWrongNumber(options: {
  sql: SqlClient;
  deps: ServiceDeps;
  deviceId: string;
  audit: { gatewayId: string; region: string; applicationId: string; userId: string; factorId: string; attemptId: string };
  now: Date;
}): Promise<void> {
  const { sql, deps, now } = options;
  const counted = await sql.query<{ failed_count: number }>('UPDATE factors SET failed_count = failed_count + 1 WHERE id = $1 RETURNING failed_count', [
    options.deviceId,
  ]);
  const failedCount = counted.rows[0]?.failed_count;
  // The application's lockout policy (console-set overrides on the deployment's): a cache lookup.
  const policy = await lockoutPolicyFor(deps, { id: options.audit.applicationId });
  if (failedCount !== undefined) {
    const lock = lockAfterFailure({ failedCount, policy, now });
    if (lock.lockedUntil !== null) {
      await sql.query('UPDATE factors SET locked_until = $2 WHERE id = $1', [options.deviceId, lock.lockedUntil]);
      await writeAuditEvent(sql, {
        ...options.audit,
        type: 'factor.locked',
        detail: { kind: 'push', failedCount, lockedUntil: lock.lockedUntil.toISOString() },
      });
    }
  }
  // The account-wide cap (NIST SP 800-63B: per subscriber, across factors) counts it too.
  const account = await sql.query<{ failed_count: number; locked_until: Date | null }>(
    'UPDATE users SET failed_count = failed_count + 1 WHERE id = $1 RETURNING failed_count, locked_until',
    [options.audit.userId],
  );
  const accountRow = account.rows[0];
  const accountHardLimit = policy.accountHardLimit ?? defaultAccountHardLimit;
  if (accountRow !== undefined && accountRow.failed_count >= accountHardLimit && accountRow.locked_until === null) {
    await sql.query('UPDATE users SET locked_until = $2 WHERE id = $1', [options.audit.userId, permanentLockUntil]);
    await writeAuditEvent(sql, {
      ...options.audit,
      type: 'account.locked',
      detail: { kind: 'push', failedCount: accountRow.failed_count, lockedUntil: permanentLockUntil.toISOString() },
    });
  }
}
