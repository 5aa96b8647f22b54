import { factorModuleFor, HoldfastError, signResultToken } from '@holdfast/core';
import type { HostedOutcome } from '@holdfast/validators';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import type { VerificationResult, VerifiedFactorKind } from '../verify/verification-result';
import { findOpenTransaction } from './find-open-transaction';
import { loadActiveSigningKey } from './signing-keys';

/** How long a signed result may wait before the application redeems it. */
export const resultTtlSeconds = 120;

/**
 * One verification from the hosted page. It goes through the same services (and so the same write
 * path: lockout, replay, idempotency, audit) as an application's own call, with an attempt id
 * derived from the transaction. On acceptance the transaction is completed by a compare-and-set on
 * its status — only one result is ever issued — and the user is sent back to the callback with
 * a short-lived JWT the application redeems once.
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
  const counted = await deps.db.pool.query<{ attempt_count: number }>(
    "UPDATE verification_transactions SET attempt_count = attempt_count + 1 WHERE id = $1 AND status = 'pending' RETURNING attempt_count",
    [transaction.id],
  );
  const attemptNumber = counted.rows[0]?.attempt_count;
  if (attemptNumber === undefined) throw new HoldfastError('TRANSACTION_COMPLETED', 'this verification was already completed');
  const result = await options.verify({
    application: transaction.application,
    attemptId: `hosted-${transaction.id}-${attemptNumber}`,
    externalUserId: transaction.externalUserId,
  });
  if (result.outcome === 'rejected') return { outcome: 'rejected', reason: result.reason };

  const key = await loadActiveSigningKey(deps);
  const now = deps.clock();
  const iat = Math.floor(now.getTime() / 1000);
  const jti = randomUUID();
  await withTransaction(deps.db.pool, async (sql) => {
    const completed = await sql.query(
      "UPDATE verification_transactions SET status = 'completed', completed_at = $2, result_jti = $3 WHERE id = $1 AND status = 'pending' AND expires_at > $2",
      [transaction.id, now, jti],
    );
    if (completed.rowCount !== 1) throw new HoldfastError('TRANSACTION_COMPLETED', 'this verification was already completed');
    await sql.query('INSERT INTO verification_results (jti, application_id, transaction_id, expires_at) VALUES ($1, $2, $3, $4)', [
      jti,
      transaction.application.id,
      transaction.id,
      new Date((iat + resultTtlSeconds) * 1000),
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
  const jwt = await signResultToken({
    kid: key.kid,
    privateJwk: key.privateJwk,
    claims: {
      iss: 'holdfast',
      aud: transaction.application.id,
      sub: transaction.externalUserId,
      iat,
      exp: iat + resultTtlSeconds,
      jti,
      txn: transaction.id,
      amr: [factorModuleFor(options.kind).amr],
      state: transaction.state,
    },
  });
  const redirect = new URL(transaction.callbackUrl);
  redirect.searchParams.set('result', jwt);
  if (transaction.state !== null) redirect.searchParams.set('state', transaction.state);
  return { outcome: 'accepted', redirectUrl: redirect.toString() };
}
