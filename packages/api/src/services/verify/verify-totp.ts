import { HoldfastError, totpFactor } from '@holdfast/core';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { decryptTotpState } from '../totp/load-totp-state';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

export async function verifyTotp(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  attemptId: string;
  externalUserId: string;
  factorId: string | null;
  code: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const { deps } = options;
  return runVerification({
    ...options,
    kind: totpFactor.kind,
    credential: options.code,
    check: async ({ sql, factor, now }) => {
      if (factor.totp === null) throw new HoldfastError('INTERNAL', 'TOTP factor has no TOTP state');
      const state = decryptTotpState({ deps, factorId: factor.id, stored: factor.totp });
      const evaluation = await totpFactor.evaluate({ ...state, code: options.code, now, window: deps.totpWindow });
      if (!evaluation.isMatch) return evaluation;
      return {
        isMatch: true,
        // Invariant 1, literally: the step is accepted only if it is newer than the last accepted one.
        consume: async () => {
          const cas = await sql.query('UPDATE totp_factors SET last_step = $2 WHERE factor_id = $1 AND last_step < $2', [factor.id, evaluation.step]);
          return cas.rowCount === 1;
        },
      };
    },
  });
}
