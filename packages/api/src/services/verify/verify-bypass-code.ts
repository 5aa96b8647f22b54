import { bypassFactor, normalizeBypassCode, type StoredBypassCode } from '@holdfast/core';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

/**
 * A one-time bypass code an admin issued (issue 13), verified through the one write path's locked
 * path (`runVerification` without `fast`: bypasses are rare, so there is no hot path to save): the
 * user row then the bypass factor row are locked, so failure counting and lockout are exact across
 * gateways (invariant 4); the attempt id is the idempotency key (invariant 3); the code is read
 * under the factor's lock and core `evaluateBypassCode` compares its salted HMAC in constant time;
 * single use is the compare-and-set `used_at IS NULL` (invariant 1), which also refuses an expired
 * code; the outcome, counters and audit events commit together (invariant 7).
 * A right code already used is `replay`; a wrong, malformed or expired one `invalid_code` (counted).
 */
export async function verifyBypassCode(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  attemptId: string;
  externalUserId: string;
  code: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const canonical = normalizeBypassCode(options.code);
  return runVerification({
    ...options,
    factorId: null,
    kind: bypassFactor.kind,
    // The canonical form: `abcd efgh jkmn` and `ABCD-EFGH-JKMN` are the same request.
    credential: canonical ?? options.code,
    check: async ({ sql, factor, now }) => {
      const { rows } = await sql.query<{ salt: Buffer; hash: Buffer; expires_at: Date; used_at: Date | null }>(
        'SELECT salt, hash, expires_at, used_at FROM bypass_codes WHERE factor_id = $1',
        [factor.id],
      );
      const row = rows[0];
      const stored: StoredBypassCode | null = row === undefined ? null : { salt: row.salt, hash: row.hash, expiresAt: row.expires_at, usedAt: row.used_at };
      const evaluation = bypassFactor.evaluate({ code: options.code, stored, now });
      if (!evaluation.isMatch) return evaluation;
      return {
        isMatch: true,
        consume: async () => {
          // Invariant 1: the first use wins; used or expired meanwhile, nothing is granted.
          const cas = await sql.query('UPDATE bypass_codes SET used_at = $2 WHERE factor_id = $1 AND used_at IS NULL AND expires_at > $2', [factor.id, now]);
          return cas.rowCount === 1;
        },
      };
    },
  });
}
