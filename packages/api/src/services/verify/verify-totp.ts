import { checkTotpCode, HoldfastError } from '@holdfast/core';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { loadTotpState } from '../totp/load-totp-state';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

export async function verifyTotp(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  attemptId: string;
  externalUserId: string;
  factorId: string | null;
  code: string;
}): Promise<VerificationResult> {
  const { deps } = options;
  return runVerification({
    ...options,
    kind: 'totp',
    check: async ({ tx, factorId, now }) => {
      const state = await loadTotpState({ deps, tx, factorId });
      if (state === null) throw new HoldfastError('INTERNAL', 'TOTP factor has no TOTP state');
      const result = await checkTotpCode({ ...state, code: options.code, now, window: deps.totpWindow });
      if (!result.matched) return { isMatch: false, reason: 'invalid_code' };
      if (result.isReplay) return { isMatch: false, reason: 'replay' };
      return {
        isMatch: true,
        // Invariant 1: UPDATE … SET last_step = $s WHERE factor_id = $id AND last_step < $s.
        consume: async () => {
          const { count } = await tx.totpFactor.updateMany({
            where: { factorId, lastStep: { lt: BigInt(result.step) } },
            data: { lastStep: BigInt(result.step) },
          });
          return count === 1;
        },
      };
    },
  });
}
