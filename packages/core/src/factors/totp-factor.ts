import { checkTotpCode } from '../totp/check-totp-code';
import type { FactorEvaluation, FactorModule } from './factor-module';

export type TotpEvaluation = FactorEvaluation<{ step: number }, 'invalid_code' | 'replay'>;

/**
 * A submitted code against the factor's stored state (secret, parameters, last accepted step):
 * wrong → `invalid_code`, right but its step already used → `replay`, else a match with the step
 * that the caller's compare-and-set `last_step < step` makes single use (invariant 1).
 */
export async function evaluateTotpCode(options: Parameters<typeof checkTotpCode>[0]): Promise<TotpEvaluation> {
  const check = await checkTotpCode(options);
  if (!check.matched) return { isMatch: false, reason: 'invalid_code' };
  if (check.isReplay) return { isMatch: false, reason: 'replay' };
  return { isMatch: true, step: check.step };
}

export const totpFactor = {
  kind: 'totp',
  // A single-factor OTP device combined with the relying app's password check reaches AAL2.
  assuranceLevel: 'aal2',
  description: 'Time-based one-time password (RFC 6238) from an authenticator app',
  noun: 'TOTP factor',
  amr: 'otp',
  evaluate: evaluateTotpCode,
} as const satisfies FactorModule<'totp'>;
