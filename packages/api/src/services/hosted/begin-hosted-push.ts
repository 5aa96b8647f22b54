import { HoldfastError } from '@holdfast/core';
import type { ServiceDeps } from '../../deps';
import { beginPush } from '../push/begin-push';
import { findOpenTransaction } from './find-open-transaction';
import { chargeHostedAttempt, refundHostedAttempt } from './hosted-attempts';

/** The attempt id of the hosted page's n-th push: unique per hosted transaction (attempt_count only grows). */
export function hostedPushAttemptId(transactionId: string, attempt: number): string {
  return `hosted-${transactionId}-push-${attempt}`;
}

/**
 * "Approve on your phone" on the hosted page: a push transaction for the hosted transaction's user,
 * begun through the same service (fatigue limits, one pending push per user, audit, Web Push after
 * commit) as an application's own `verify.pushBegin`, and tied to this hosted transaction so only
 * this page's token can turn its approval into a result (`getHostedPushStatus`).
 *
 * Each push is charged against the transaction's attempt cap BEFORE it is begun, exactly as a code
 * is (`verifyHostedTransaction`): a push that ends denied or unanswered stays counted — a page
 * holder can bother the user's phone at most `hostedAttemptCap` times per transaction, whatever
 * the application's fatigue window allows. A push that was never begun (refused: PUSH_PENDING,
 * PUSH_LIMIT_REACHED, PUSH_SUSPENDED, no device…) is refunded.
 */
export async function beginHostedPush(options: {
  deps: ServiceDeps;
  token: string;
  signal?: AbortSignal;
}): Promise<{ transactionId: string; number: string; expiresAt: Date }> {
  const { deps } = options;
  const transaction = await findOpenTransaction({ ...options, kind: 'push' });
  const charged = await chargeHostedAttempt({ deps, transactionId: transaction.id });
  const refund = () => refundHostedAttempt({ deps, transactionId: transaction.id });

  let begun: Awaited<ReturnType<typeof beginPush>>;
  try {
    begun = await beginPush({
      deps,
      application: transaction.application,
      externalUserId: transaction.externalUserId,
      attemptId: hostedPushAttemptId(transaction.id, charged.attemptCount),
      // The page's server calls the gateway, so the browser's address and agent are not known here.
      context: {},
      // Written in beginPush's own INSERT: the binding `hosted.pushStatus` checks.
      hostedTransactionId: transaction.id,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    await refund();
    throw error;
  }
  if (begun.replayed) {
    // A recorded attempt id: ours after a doubtful commit (beginPush retried), or a push the
    // application began itself under a look-alike id (attempt ids are the application's to
    // choose). Only ours may be waited on and turned into a hosted result.
    const { rows } = await deps.db.pool.query<{ hosted_transaction_id: string | null }>('SELECT hosted_transaction_id FROM push_transactions WHERE id = $1', [
      begun.transactionId,
    ]);
    if (rows[0]?.hosted_transaction_id !== transaction.id) {
      await refund();
      throw new HoldfastError('PUSH_PENDING', 'a push request is already waiting for this user');
    }
  }
  return { transactionId: begun.transactionId, number: begun.number, expiresAt: begun.expiresAt };
}
