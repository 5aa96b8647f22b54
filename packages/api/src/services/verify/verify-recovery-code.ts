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
}): Promise<VerificationResult> {
  return runVerification({
    ...options,
    factorId: null,
    kind: 'recovery_codes',
    check: async ({ tx, factorId, now }) => {
      const canonical = normalizeRecoveryCode(options.code);
      if (canonical === null) return { isMatch: false, reason: 'invalid_code' };
      const unused = await tx.recoveryCode.findMany({ where: { factorId, usedAt: null }, select: { id: true, salt: true, hash: true } });
      const matchId = await findMatchingRecoveryCode({ code: canonical, candidates: unused });
      if (matchId === null) return { isMatch: false, reason: 'invalid_code' };
      return {
        isMatch: true,
        consume: async () => {
          const { count } = await tx.recoveryCode.updateMany({ where: { id: matchId, usedAt: null }, data: { usedAt: now } });
          return count === 1;
        },
      };
    },
  });
}
