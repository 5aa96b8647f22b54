import { HoldfastError } from '@holdfast/core';
import type { HostedOutcome } from '@holdfast/validators';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import type { VerificationResult, VerifiedFactorKind } from '../verify/verification-result';
import { findOpenTransaction } from './find-open-transaction';
import { issueHostedResult } from './issue-hosted-result';

/** Failed (or in-flight) attempts one hosted transaction allows; then TRANSACTION_ATTEMPTS_EXCEEDED. */
export const hostedAttemptCap = 5;

/**
 * One verification from the hosted page. It goes through the same services (and so the same write
 * path: lockout, replay, idempotency, audit) as an application's own call, with an attempt id
 * derived from the transaction. On acceptance the transaction is completed by a compare-and-set on
 * its status — only one result is ever issued — and the user is sent back to the callback with
 * a one-time code the application exchanges once (`issueHostedResult`).
 */
export async function verifyHostedTransaction(options: {
  deps: ServiceDeps;
  token: string;
  kind: VerifiedFactorKind;
  verify: (input: { application: ApplicationPrincipal; attemptId: string; externalUserId: string }) => Promise<VerificationResult>;
  signal?: AbortSignal;
}): Promise<HostedOutcome> {
  const { deps } = options;
  const transaction = await findOpenTransaction(options);
  // Each attempt is charged against the transaction's cap BEFORE it runs (one atomic UPDATE), so
  // parallel attempts cannot overshoot it; an acceptance completes the transaction, an attempt that
  // errored (no decision) is refunded. The factor and account counters still count every guess.
  const counted = await deps.db.pool.query<{ attempt_count: number; failed_attempts: number }>(
    `UPDATE verification_transactions SET attempt_count = attempt_count + 1, failed_attempts = failed_attempts + 1
      WHERE id = $1 AND status = 'pending' AND failed_attempts < $2 RETURNING attempt_count, failed_attempts`,
    [transaction.id, hostedAttemptCap],
  );
  const charged = counted.rows[0];
  if (charged === undefined) {
    const { rows } = await deps.db.pool.query<{ status: string }>('SELECT status::text AS status FROM verification_transactions WHERE id = $1', [
      transaction.id,
    ]);
    if (rows[0]?.status === 'pending') throw new HoldfastError('TRANSACTION_ATTEMPTS_EXCEEDED', 'too many failed attempts; start the sign-in again');
    throw new HoldfastError('TRANSACTION_COMPLETED', 'this verification was already completed');
  }
  let result: VerificationResult;
  try {
    result = await options.verify({
      application: transaction.application,
      attemptId: `hosted-${transaction.id}-${charged.attempt_count}`,
      externalUserId: transaction.externalUserId,
    });
  } catch (error) {
    await deps.db.pool.query('UPDATE verification_transactions SET failed_attempts = failed_attempts - 1 WHERE id = $1 AND failed_attempts > 0', [
      transaction.id,
    ]);
    throw error;
  }
  if (result.outcome === 'rejected') {
    if (charged.failed_attempts === hostedAttemptCap) {
      await withTransaction(deps.db.pool, (sql) =>
        writeAuditEvent(sql, {
          type: 'hosted.attempts_exceeded',
          gatewayId: deps.gateway.id,
          region: deps.gateway.region,
          applicationId: transaction.application.id,
          userId: transaction.userId,
          ...(result.factorId === null ? {} : { factorId: result.factorId }),
          attemptId: result.attemptId,
          detail: { transactionId: transaction.id, failedAttempts: charged.failed_attempts },
        }),
      );
    }
    return { outcome: 'rejected', reason: result.reason };
  }

  return issueHostedResult({ deps, transaction, kind: options.kind, result });
}
