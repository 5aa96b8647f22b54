import { HoldfastError } from '@holdfast/core';
import type { HostedOutcome, PushTransactionStatusWord } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { getPushStatus } from '../push/get-push-status';
import { toVerificationResult } from '../verify/verification-result';
import { findOpenTransaction } from './find-open-transaction';
import { issueHostedResult } from './issue-hosted-result';

/**
 * The hosted page waits for the phone's answer (long-poll through `getPushStatus`, ≤ 25 s, no
 * connection held while waiting). Only a push begun by THIS hosted transaction counts (its
 * `hosted_transaction_id`): an approval of the application's own push, or of another page's, can
 * never complete it. Approved → the hosted transaction is completed by `issueHostedResult`'s
 * compare-and-set, so however many status calls see the approval (two tabs, a retry, two
 * gateways), exactly one result code is issued; the others get TRANSACTION_COMPLETED, as a second
 * code on the code path does. Denied → rejected (already counted against the cap when begun).
 */
export async function getHostedPushStatus(options: {
  deps: ServiceDeps;
  token: string;
  transactionId: string;
  waitMs?: number;
  signal?: AbortSignal;
  /** The gateway's hook: a waiting long-poll gives up its admission slot (false = answer now). */
  leaveAdmission?: (() => boolean) | undefined;
}): Promise<{ status: PushTransactionStatusWord; outcome: HostedOutcome | null }> {
  const { deps } = options;
  const transaction = await findOpenTransaction({ ...options, kind: 'push' });
  const { rows } = await deps.db.pool.query<{ attempt_id: string }>(
    'SELECT attempt_id FROM push_transactions WHERE id = $1 AND application_id = $2 AND hosted_transaction_id = $3',
    [options.transactionId, transaction.application.id, transaction.id],
  );
  const owned = rows[0];
  if (owned === undefined) throw new HoldfastError('PUSH_TRANSACTION_NOT_FOUND', 'no such push request for this verification');

  const push = await getPushStatus({
    deps,
    application: transaction.application,
    transactionId: options.transactionId,
    waitMs: options.waitMs ?? 0,
    signal: options.signal,
    leaveAdmission: options.leaveAdmission,
  });
  switch (push.status) {
    case 'pending':
    case 'expired':
      return { status: push.status, outcome: null };
    case 'denied':
      // A wrong number typed on the phone is a wrong code; "This wasn't me" and "Report fraud" have no code reason.
      return { status: 'denied', outcome: { outcome: 'rejected', reason: push.reason === 'wrong_number' ? 'invalid_code' : null } };
    case 'approved': {
      // Which device answered: the factor the completion is audited against.
      const decided = await deps.db.pool.query<{ device_id: string | null; decided_at: Date }>(
        'SELECT device_id, decided_at FROM push_transactions WHERE id = $1',
        [options.transactionId],
      );
      const row = decided.rows[0];
      const result = toVerificationResult({
        attemptId: owned.attempt_id,
        outcome: 'accepted',
        reason: null,
        factorId: row?.device_id ?? null,
        createdAt: row?.decided_at ?? push.decidedAt ?? deps.clock(),
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        replayed: false,
      });
      // amr from core's push factor module (`swk`), through the one place results are issued.
      return { status: 'approved', outcome: await issueHostedResult({ deps, transaction, kind: 'push', result }) };
    }
  }
}
