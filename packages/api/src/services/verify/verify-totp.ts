import { HoldfastError, totpFactor, type TotpEvaluation } from '@holdfast/core';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { decryptTotpState } from '../totp/load-totp-state';
import type { LockedFactor } from './locked-factor';
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
  const evaluate = async (factor: LockedFactor, now: Date): Promise<TotpEvaluation> => {
    if (factor.totp === null) throw new HoldfastError('INTERNAL', 'TOTP factor has no TOTP state');
    const state = decryptTotpState({ deps, factorId: factor.id, stored: factor.totp });
    return totpFactor.evaluate({ ...state, code: options.code, now, window: deps.totpWindow });
  };
  return runVerification({
    ...options,
    kind: totpFactor.kind,
    credential: options.code,
    fast: {
      evaluate: async ({ factor, now }) => {
        const evaluation = await evaluate(factor, now);
        if (!evaluation.isMatch) return { outcome: evaluation, consume: null };
        return {
          outcome: { isMatch: true },
          // Invariant 1, literally: the step is accepted only if it is newer than the last accepted one.
          consume: (param) => {
            const step = param(evaluation.step);
            return {
              lock: `JOIN totp_factors t ON t.factor_id = f.id AND t.last_step < ${step}::bigint`,
              writes: [`UPDATE totp_factors SET last_step = ${step}::bigint WHERE factor_id = ${param(factor.id)}::uuid AND last_step < ${step}::bigint`],
            };
          },
        };
      },
    },
    check: async ({ sql, factor, now }) => {
      const evaluation = await evaluate(factor, now);
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
