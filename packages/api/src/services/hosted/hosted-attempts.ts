import { HoldfastError } from '@holdfast/core';
import type { ServiceDeps } from '../../deps';

/** Failed (or in-flight) attempts one hosted transaction allows; then TRANSACTION_ATTEMPTS_EXCEEDED. */
export const hostedAttemptCap = 5;

/**
 * Charges one attempt (a code, a passkey, a push) against the hosted transaction's cap BEFORE it
 * runs, in one atomic UPDATE, so parallel attempts cannot overshoot it. Throws
 * TRANSACTION_ATTEMPTS_EXCEEDED when the cap is reached, TRANSACTION_COMPLETED when the
 * transaction is no longer pending. `attemptCount` only grows: it names the attempt.
 */
export async function chargeHostedAttempt(options: { deps: ServiceDeps; transactionId: string }): Promise<{ attemptCount: number; failedAttempts: number }> {
  const { deps, transactionId } = options;
  const counted = await deps.db.pool.query<{ attempt_count: number; failed_attempts: number }>(
    `UPDATE verification_transactions SET attempt_count = attempt_count + 1, failed_attempts = failed_attempts + 1
      WHERE id = $1 AND status = 'pending' AND failed_attempts < $2 RETURNING attempt_count, failed_attempts`,
    [transactionId, hostedAttemptCap],
  );
  const charged = counted.rows[0];
  if (charged === undefined) {
    const { rows } = await deps.db.pool.query<{ status: string }>('SELECT status::text AS status FROM verification_transactions WHERE id = $1', [
      transactionId,
    ]);
    if (rows[0]?.status === 'pending') throw new HoldfastError('TRANSACTION_ATTEMPTS_EXCEEDED', 'too many failed attempts; start the sign-in again');
    throw new HoldfastError('TRANSACTION_COMPLETED', 'this verification was already completed');
  }
  return { attemptCount: charged.attempt_count, failedAttempts: charged.failed_attempts };
}

/** Gives back a charged attempt that reached no decision (it errored, or was never begun). */
export async function refundHostedAttempt(options: { deps: ServiceDeps; transactionId: string }): Promise<void> {
  await options.deps.db.pool.query('UPDATE verification_transactions SET failed_attempts = failed_attempts - 1 WHERE id = $1 AND failed_attempts > 0', [
    options.transactionId,
  ]);
}
