import { factorModuleFor, HoldfastError } from '@holdfast/core';
import { generateToken, hashToken, withTransaction, writeAuditEvent } from '@holdfast/db';
import type { HostedOutcome } from '@holdfast/validators';
import { randomUUID } from 'node:crypto';
import type { ServiceDeps } from '../../deps';
import type { VerificationResult, VerifiedFactorKind } from '../verify/verification-result';
import type { OpenTransaction } from './find-open-transaction';

/**
 * How long the callback's code may wait before the application exchanges it. The browser is
 * redirected at once and the application's callback exchanges it server to server in one round
 * trip, so a minute is plenty; a leaked code is useless after it.
 */
export const resultCodeTtlMs = 60_000;

/**
 * An accepted hosted verification: the transaction is completed by a compare-and-set on its status
 * (only one result is ever issued) and the browser goes back to the callback with an opaque
 * one-time `code` and the application's `state` — never the result itself, which would stay in the
 * history, proxy logs and Referer headers. Only the code's SHA-256 is stored; the application
 * exchanges the code with its API key (`hosted.redeemResult`), once, within `resultCodeTtlMs`.
 */
export async function issueHostedResult(options: {
  deps: ServiceDeps;
  transaction: OpenTransaction;
  kind: VerifiedFactorKind;
  result: VerificationResult;
}): Promise<Extract<HostedOutcome, { outcome: 'accepted' }>> {
  const { deps, transaction, result } = options;
  const now = deps.clock();
  const jti = randomUUID();
  const code = generateToken();
  await withTransaction(deps.db.pool, null, async (sql) => {
    const completed = await sql.query(
      "UPDATE verification_transactions SET status = 'completed', completed_at = $2, result_jti = $3 WHERE id = $1 AND status = 'pending' AND expires_at > $2",
      [transaction.id, now, jti],
    );
    if (completed.rowCount !== 1) throw new HoldfastError('TRANSACTION_COMPLETED', 'this verification was already completed');
    await sql.query('INSERT INTO verification_results (jti, application_id, transaction_id, expires_at, code_hash, amr) VALUES ($1, $2, $3, $4, $5, $6)', [
      jti,
      transaction.application.id,
      transaction.id,
      new Date(now.getTime() + resultCodeTtlMs),
      hashToken(code),
      [factorModuleFor(options.kind).amr],
    ]);
    await writeAuditEvent(sql, {
      type: 'hosted.transaction_completed',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: transaction.application.id,
      userId: transaction.userId,
      ...(result.factorId === null ? {} : { factorId: result.factorId }),
      attemptId: result.attemptId,
      detail: { transactionId: transaction.id, jti, kind: options.kind },
    });
  });
  const redirect = new URL(transaction.callbackUrl);
  redirect.searchParams.set('code', code);
  if (transaction.state !== null) redirect.searchParams.set('state', transaction.state);
  return { outcome: 'accepted', redirectUrl: redirect.toString() };
}
