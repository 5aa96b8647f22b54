/**
 * Step-up before any change to a user's factors (NIST SP 800-63B-4, post-enrollment binding: binding an
 * additional authenticator requires authenticating with a bound one at the same assurance level;
 * removing or changing one is treated the same way here).
 * Holding an enrollment link proves only that someone received the link; it is enough to bind the
 * FIRST factor, never to change an account that already has one. This module decides; the caller
 * reads the stored state (under a row lock) and applies the decision in the same transaction.
 */

/** How long one successful step-up verification authorizes factor changes. */
export const stepUpFreshnessMs = 5 * 60 * 1000;

/**
 * How far in the future a recorded step-up may lie and still count (gateways' clocks differ a
 * little); beyond that it is treated as garbage, never as "fresh for a very long time".
 */
export const stepUpClockSkewMs = 30 * 1000;

/** The most factors one user may have bound at once (pending TOTP setups do not count). */
export const maxBoundFactorsPerUser = 10;

/**
 * What the session wants to do. `add` creates a new bound factor (TOTP, passkey, the first recovery
 * code set); `replace` swaps a factor for a new one of the same kind (regenerating recovery codes);
 * `remove` and `rename` touch an existing one.
 */
export type FactorChange = 'add' | 'replace' | 'remove' | 'rename';

export interface FactorChangeState {
  change: FactorChange;
  /**
   * The user's bound factors: every factor that is neither pending nor revoked. Locked or suspended
   * factors count — a user whose only factor is locked has NOT lost it, and a link alone must not
   * let anyone replace it (that reset belongs to the application, after it re-proves the user).
   */
  boundFactorCount: number;
  /** When this enrollment session last verified one of the user's factors (null: never). */
  steppedUpAt: Date | null;
  now: Date;
  /** Defaults to `maxBoundFactorsPerUser`. */
  maxFactors?: number;
}

export type StepUpStatus =
  /** The user has no bound factor: the first binding needs no step-up. */
  | { status: 'not_needed'; validUntil: null }
  /** A verification within the last five minutes. */
  | { status: 'fresh'; validUntil: Date }
  /** The user has a factor and the session has not (recently) verified one. */
  | { status: 'required'; validUntil: null };

export type FactorChangeDecision =
  { isAllowed: true; basis: 'first_binding' | 'stepped_up' } | { isAllowed: false; code: 'STEP_UP_REQUIRED' | 'FACTOR_LIMIT_REACHED'; message: string };

/** Whether the session's step-up still counts, and until when. */
export function describeStepUp(input: { boundFactorCount: number; steppedUpAt: Date | null; now: Date }): StepUpStatus {
  if (input.boundFactorCount === 0) return { status: 'not_needed', validUntil: null };
  if (input.steppedUpAt === null) return { status: 'required', validUntil: null };
  const age = input.now.getTime() - input.steppedUpAt.getTime();
  // A step-up from the future (beyond clock skew) is not trusted; one older than the window has lapsed.
  if (age < -stepUpClockSkewMs || age >= stepUpFreshnessMs) return { status: 'required', validUntil: null };
  return { status: 'fresh', validUntil: new Date(input.steppedUpAt.getTime() + stepUpFreshnessMs) };
}

/**
 * May this enrollment session make this change now? Step-up is decided first: an unverified
 * session learns nothing more than "verify first", whatever it asked for.
 */
export function decideFactorChange(input: FactorChangeState): FactorChangeDecision {
  const stepUp = describeStepUp(input);
  if (stepUp.status === 'required') {
    return {
      isAllowed: false,
      code: 'STEP_UP_REQUIRED',
      message: 'confirm it is you first: verify one of your current factors (step-up), then try again within 5 minutes',
    };
  }
  const maxFactors = input.maxFactors ?? maxBoundFactorsPerUser;
  if (input.change === 'add' && input.boundFactorCount >= maxFactors) {
    return { isAllowed: false, code: 'FACTOR_LIMIT_REACHED', message: `you already have ${maxFactors} factors; remove one before adding another` };
  }
  return { isAllowed: true, basis: stepUp.status === 'not_needed' ? 'first_binding' : 'stepped_up' };
}
