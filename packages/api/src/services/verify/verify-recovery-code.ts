import { findMatchingRecoveryCode, normalizeRecoveryCode } from '@holdfast/core';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

export async function verifyRecoveryCode(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  attemptId: string;
  externalUserId: string;
  code: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  return runVerification({
    ...options,
    factorId: null,
    kind: 'recovery_codes',
    check: async ({ sql, factor, now }) => {
      const canonical = normalizeRecoveryCode(options.code);
      if (canonical === null) return { isMatch: false, reason: 'invalid_code' };
      const unused = await sql.query<{ id: string; salt: Buffer; hash: Buffer }>('SELECT id, salt, hash FROM recovery_codes WHERE factor_id = $1 AND used_at IS NULL', [factor.id]);
      const matchId = await findMatchingRecoveryCode({ code: canonical, candidates: unused.rows });
      if (matchId === null) return { isMatch: false, reason: 'invalid_code' };
      return {
        isMatch: true,
        consume: async () => {
          const cas = await sql.query('UPDATE recovery_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL', [matchId, now]);
          return cas.rowCount === 1;
        },
      };
    },
  });
}
