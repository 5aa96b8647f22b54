import { HoldfastError, signResultToken } from '@holdfast/core';
import { hashToken, withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { loadActiveSigningKey } from './signing-keys';

/** How long the receipt JWT verifies; a retired signing key stays published at least this long. */
export const receiptTtlSeconds = 300;

export interface RedeemedResult {
  userId: string;
  amr: string[];
  transactionId: string;
  state: string | null;
  receipt: string;
}

interface RedeemedRow {
  jti: string;
  amr: string[];
  transaction_id: string;
  user_id: string;
  external_id: string;
  state: string | null;
}

/** Refused inside the transaction, but with the code spent: thrown after COMMIT. */
type Outcome = { ok: true; row: RedeemedRow } | { ok: false; error: HoldfastError };

async function explainMiss(sql: SqlClient, codeHash: Uint8Array, applicationId: string): Promise<HoldfastError> {
  const { rows } = await sql.query<{ redeemed_at: Date | null }>('SELECT redeemed_at FROM verification_results WHERE code_hash = $1 AND application_id = $2', [
    codeHash,
    applicationId,
  ]);
  const row = rows[0];
  if (row !== undefined && row.redeemed_at !== null) return new HoldfastError('RESULT_ALREADY_USED', 'this result code was already redeemed');
  // Unknown, another application's, or expired: the same answer, so a code's existence does not leak.
  return new HoldfastError('RESULT_INVALID', 'this result code is unknown or expired');
}

/**
 * The relying application's server exchanges the code its callback received (with its API key —
 * the code alone is worth nothing). A compare-and-set marks it redeemed: a code works once, on any
 * gateway, for the application it was issued to, within its minute. The caller names the user it
 * expects (the one whose session started the verification); a code issued for anyone else is
 * refused — and stays spent, since presenting it to the wrong session is itself the attack (a
 * swapped or injected callback). Every refusal is audited. The answer carries a signed receipt.
 */
export async function redeemVerificationResult(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  code: string;
  externalUserId: string;
}): Promise<RedeemedResult> {
  const { deps, application } = options;
  const codeHash = hashToken(options.code);
  const audit = { gatewayId: deps.gateway.id, region: deps.gateway.region, applicationId: application.id };
  // Before the code is spent: a key that cannot be loaded must not cost the user their result.
  const key = await loadActiveSigningKey(deps);
  let outcome: Outcome;
  try {
    outcome = await withTransaction(deps.db.pool, null, async (sql): Promise<Outcome> => {
      const now = deps.clock();
      const redeemed = await sql.query<RedeemedRow>(
        `UPDATE verification_results r SET redeemed_at = $3
           FROM verification_transactions t JOIN users u ON u.id = t.user_id
          WHERE r.code_hash = $1 AND r.application_id = $2 AND r.redeemed_at IS NULL AND r.expires_at > $3 AND t.id = r.transaction_id
          RETURNING r.jti, r.amr, t.id AS transaction_id, t.user_id, u.external_id, t.state`,
        [codeHash, application.id, now],
      );
      const row = redeemed.rows[0];
      if (row === undefined) throw await explainMiss(sql, codeHash, application.id);
      if (row.external_id !== options.externalUserId) {
        const error = new HoldfastError('RESULT_USER_MISMATCH', 'this result was issued for another user; it is spent');
        await writeAuditEvent(sql, {
          ...audit,
          type: 'hosted.result_rejected',
          userId: row.user_id,
          detail: { code: error.code, transactionId: row.transaction_id, jti: row.jti },
        });
        return { ok: false, error };
      }
      await writeAuditEvent(sql, {
        ...audit,
        type: 'hosted.result_redeemed',
        userId: row.user_id,
        detail: { transactionId: row.transaction_id, jti: row.jti },
      });
      return { ok: true, row };
    });
  } catch (error) {
    if (error instanceof HoldfastError && (error.code === 'RESULT_INVALID' || error.code === 'RESULT_ALREADY_USED')) {
      await writeAuditEvent(deps.db.prisma, { ...audit, type: 'hosted.result_rejected', detail: { code: error.code, message: error.message } });
    }
    throw error;
  }
  if (!outcome.ok) throw outcome.error;

  const { row } = outcome;
  const iat = Math.floor(deps.clock().getTime() / 1000);
  const receipt = await signResultToken({
    kid: key.kid,
    privateJwk: key.privateJwk,
    claims: {
      iss: deps.publicUrl.replace(/\/$/, ''),
      aud: application.id,
      sub: row.external_id,
      iat,
      exp: iat + receiptTtlSeconds,
      jti: row.jti,
      txn: row.transaction_id,
      amr: row.amr,
      state: row.state,
    },
  });
  return { userId: row.external_id, amr: row.amr, transactionId: row.transaction_id, state: row.state, receipt };
}
