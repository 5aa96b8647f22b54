import { z } from 'zod';

/** Why a verification was rejected: returned to the caller and recorded on `verify.rejected` events. */
export const verifyRejectReasons = [
  /** The code or secret is wrong: the only reason that counts towards the lockout. */
  'invalid_code',
  /** Right code, already used (a TOTP step, a recovery code, a WebAuthn challenge). */
  'replay',
  /** Too many wrong codes: the factor is locked for a while. */
  'locked',
  /** Too many wrong codes across all of the user's factors: every factor refuses until `factors.unlock`. */
  'account_locked',
  /** The factor is pending (unfinished enrolment) or was revoked meanwhile. */
  'factor_not_active',
  /** A WebAuthn assertion that does not verify (signature, origin, RP ID, user verification). */
  'verification_failed',
  /** A WebAuthn signature counter that did not increase: a cloned credential or a replayed assertion. */
  'clone_suspected',
] as const;
export const verifyRejectReason = z.enum(verifyRejectReasons);
export type VerifyRejectReason = z.infer<typeof verifyRejectReason>;

/**
 * The reasons a factor's own check can give. `locked`, `account_locked` and `factor_not_active` are decided from the
 * factor's row before its check runs, the same way for every kind.
 */
export const factorRejectReason = verifyRejectReason.exclude(['locked', 'account_locked', 'factor_not_active']);
export type FactorRejectReason = z.infer<typeof factorRejectReason>;
