import type { AssuranceLevel, FactorKind, FactorRejectReason } from '@holdfast/validators';

/**
 * What a factor's pure evaluation decided. A match carries what the caller needs for its
 * single-use compare-and-set (the TOTP step, the recovery code's id, the new signature counter);
 * consuming it, under the factor's row lock, stays the caller's job.
 */
export type FactorEvaluation<TMatch extends object, TReason extends FactorRejectReason = FactorRejectReason> =
  ({ isMatch: true } & TMatch) | { isMatch: false; reason: TReason };

/**
 * What every factor module declares about itself. Each module is checked against this at compile
 * time (`satisfies`), and the registry against every kind in `@holdfast/validators`, so a new kind
 * (push) cannot be added without its module, assurance level and words.
 */
export interface FactorModule<K extends FactorKind = FactorKind> {
  readonly kind: K;
  /** NIST 800-63B level this factor reaches together with the relying application's password check. */
  readonly assuranceLevel: AssuranceLevel;
  readonly description: string;
  /** How messages name it: "the user has no <noun>". */
  readonly noun: string;
  /** Its authentication method reference (RFC 8176) in signed results; `recovery_code` is Holdfast's own. */
  readonly amr: string;
  /**
   * The factor's pure decision, where it has one: stored state and what was submitted in, a
   * match or a rejection reason out. No I/O; reading the state and consuming a match (the
   * compare-and-set under the factor's row lock) are the write path's.
   */
  readonly evaluate?: (options: never) => FactorEvaluation<object> | Promise<FactorEvaluation<object>>;
}
