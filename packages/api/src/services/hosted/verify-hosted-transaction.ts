import type { HostedOutcome } from '@holdfast/validators';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import type { VerificationResult, VerifiedFactorKind } from '../verify/verification-result';
import { findOpenTransaction } from './find-open-transaction';
import { chargeHostedAttempt, hostedAttemptCap, refundHostedAttempt } from './hosted-attempts';
import { issueHostedResult } from './issue-hosted-result';

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
  const charged = await chargeHostedAttempt({ deps, transactionId: transaction.id });
  let result: VerificationResult;
  try {
    result = await options.verify({
      application: transaction.application,
      attemptId: `hosted-${transaction.id}-${charged.attemptCount}`,
      externalUserId: transaction.externalUserId,
    });
  } catch (error) {
    await refundHostedAttempt({ deps, transactionId: transaction.id });
    throw error;
  }
  if (result.outcome === 'rejected') {
    if (charged.failedAttempts === hostedAttemptCap) {
      await withTransaction(deps.db.pool, null, (sql) =>
        writeAuditEvent(sql, {
          type: 'hosted.attempts_exceeded',
          gatewayId: deps.gateway.id,
          region: deps.gateway.region,
          applicationId: transaction.application.id,
          userId: transaction.userId,
          ...(result.factorId === null ? {} : { factorId: result.factorId }),
          attemptId: result.attemptId,
          detail: { transactionId: transaction.id, failedAttempts: charged.failedAttempts },
        }),
      );
    }
    return { outcome: 'rejected', reason: result.reason };
  }

  return issueHostedResult({ deps, transaction, kind: options.kind, result });
}
