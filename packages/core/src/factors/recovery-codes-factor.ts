import { findMatchingRecoveryCode, type RecoveryCodeCandidate } from '../recovery/hash-recovery-code';
import type { FactorEvaluation, FactorModule } from './factor-module';

export type RecoveryCodeEvaluation = FactorEvaluation<{ codeId: string }, 'invalid_code'>;

/**
 * The match step: a typed code against the stored (unused) candidates of one set. Slow on
 * purpose (scrypt), so callers run it before taking any row lock; the compare-and-set on
 * `used_at IS NULL` that makes the matched code single use is theirs.
 */
export async function evaluateRecoveryCode(options: { code: string; candidates: readonly RecoveryCodeCandidate[] }): Promise<RecoveryCodeEvaluation> {
  const codeId = await findMatchingRecoveryCode(options);
  return codeId === null ? { isMatch: false, reason: 'invalid_code' } : { isMatch: true, codeId };
}

export const recoveryCodesFactor = {
  kind: 'recovery_codes',
  // NIST 800-63B treats look-up secrets like OTPs: with a password they reach AAL2.
  assuranceLevel: 'aal2',
  description: 'Single-use recovery codes (look-up secrets) for when no other factor is available',
  noun: 'recovery codes',
  amr: 'recovery_code',
  evaluate: evaluateRecoveryCode,
} as const satisfies FactorModule<'recovery_codes'>;
