import { HoldfastError, readResultTokenKid, verifyResultToken } from '@holdfast/core';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { findPublicSigningKey } from './signing-keys';

/**
 * The relying application hands back the result its callback received. The signature is checked
 * against Holdfast's published keys, the audience must be the calling application, and the jti is
 * marked redeemed by a compare-and-set: a result works once, on any gateway. Refusals are audited.
 */
export async function redeemVerificationResult(options: { deps: ServiceDeps; application: ApplicationPrincipal; token: string }): Promise<{
  userId: string;
  amr: string[];
  transactionId: string;
}> {
  const { deps, application } = options;
  try {
    const publicJwk = await findPublicSigningKey(deps, readResultTokenKid(options.token));
    if (publicJwk === null) throw new HoldfastError('RESULT_INVALID', 'the result token is not valid: unknown key');
    const now = deps.clock();
    const claims = await verifyResultToken({ token: options.token, publicJwk, audience: application.id, now });
    return await withTransaction(deps.db.pool, async (sql) => {
      const redeemed = await sql.query<{ user_id: string }>(
        `UPDATE verification_results r SET redeemed_at = $3
           FROM verification_transactions t
          WHERE r.jti = $1 AND r.application_id = $2 AND r.redeemed_at IS NULL AND r.expires_at > $3 AND t.id = r.transaction_id
          RETURNING t.user_id`,
        [claims.jti, application.id, now],
      );
      const row = redeemed.rows[0];
      if (row === undefined) throw new HoldfastError('RESULT_ALREADY_USED', 'this result was already redeemed');
      await writeAuditEvent(sql, {
        type: 'hosted.result_redeemed',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: application.id,
        userId: row.user_id,
        detail: { transactionId: claims.txn, jti: claims.jti },
      });
      return { userId: claims.sub, amr: claims.amr, transactionId: claims.txn };
    });
  } catch (error) {
    if (error instanceof HoldfastError && (error.code === 'RESULT_INVALID' || error.code === 'RESULT_ALREADY_USED')) {
      await writeAuditEvent(deps.db.prisma, {
        type: 'hosted.result_rejected',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: application.id,
        detail: { code: error.code, message: error.message },
      });
    }
    throw error;
  }
}
