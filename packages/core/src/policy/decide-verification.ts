import type { FactorRejectReason, FactorStatus, VerifyRejectReason } from '@holdfast/validators';
import { HoldfastError } from '../errors';
import { defaultAccountHardLimit, isFactorLocked, lockAfterFailure, permanentLockUntil, type LockoutPolicy } from './lockout';

/** Consecutive-failure counters as stored (on `factors` and on `users`). */
export interface LockState {
  failedCount: number;
  lockedUntil: Date | null;
}

export interface FactorState extends LockState {
  status: FactorStatus;
}

/** A refusal decided from stored state alone, before the credential is looked at. */
export type RefusalBeforeCheck = Extract<VerifyRejectReason, 'factor_not_active' | 'account_locked' | 'locked'>;

/**
 * The order of the checks that need no credential: an inactive factor, then a locked account,
 * then a locked factor. Cheap and pure, so callers run it before any expensive work (scrypt for
 * recovery codes, signature checks) — a locked account or factor costs no hashing.
 */
export function refusalBeforeCheck({ factor, account, now }: { factor: FactorState; account: LockState; now: Date }): RefusalBeforeCheck | null {
  if (factor.status !== 'active') return 'factor_not_active';
  if (isFactorLocked({ lockedUntil: account.lockedUntil, now })) return 'account_locked';
  if (isFactorLocked({ lockedUntil: factor.lockedUntil, now })) return 'locked';
  return null;
}

/** What a factor's own check found: a match (and whether its single-use compare-and-set won), or why not. */
export type CheckOutcome = { isMatch: true; isFirstUse: boolean } | { isMatch: false; reason: FactorRejectReason };

export interface VerificationDecision {
  /** Null: accepted. */
  reason: VerifyRejectReason | null;
  /** Only a wrong credential is a guess at the secret; replays and refusals on locked state are not. */
  countsTowardLockout: boolean;
  /** Counters to store. Equal to the input when nothing changes. */
  factor: LockState;
  account: LockState;
  /** Set when this failure locks the factor (audit `factor.locked`). */
  factorLock: { lockedUntil: Date; isPermanent: boolean } | null;
  /** Set when this failure reaches the account-wide cap (audit `account.locked`). */
  accountLock: { lockedUntil: Date } | null;
}

/**
 * The verification decision (DESIGN invariant 4, per factor and per account), as one pure function
 * of the stored state, the factor check's result, the policy and the time:
 *  1. refusals before the check (`refusalBeforeCheck`); `check` must then be null (it was not run);
 *  2. a match whose single use was already taken → `replay`;
 *  3. a match → accepted: both counters reset (a success ends a run of consecutive failures);
 *  4. `invalid_code` → counted on the factor (temporary lock at each `threshold`, permanent at
 *     `hardLimit`) and on the account (permanent lock at `accountHardLimit`, default 100);
 *  5. any other rejection (WebAuthn signature, clone) → not counted.
 */
export function decideVerification(input: {
  factor: FactorState;
  account: LockState;
  check: CheckOutcome | null;
  policy: LockoutPolicy;
  now: Date;
}): VerificationDecision {
  const { factor, account, check, policy, now } = input;
  const unchanged = (reason: VerifyRejectReason | null): VerificationDecision => ({
    reason,
    countsTowardLockout: false,
    factor: { failedCount: factor.failedCount, lockedUntil: factor.lockedUntil },
    account: { failedCount: account.failedCount, lockedUntil: account.lockedUntil },
    factorLock: null,
    accountLock: null,
  });

  const refusal = refusalBeforeCheck({ factor, account, now });
  if (refusal !== null) return unchanged(refusal);
  if (check === null) throw new HoldfastError('INTERNAL', 'the factor check must run when nothing refuses before it');

  if (check.isMatch) {
    if (!check.isFirstUse) return unchanged('replay');
    return {
      ...unchanged(null),
      factor: { failedCount: 0, lockedUntil: factor.lockedUntil },
      account: { failedCount: 0, lockedUntil: account.lockedUntil },
    };
  }
  if (check.reason !== 'invalid_code') return unchanged(check.reason);

  const factorFailures = factor.failedCount + 1;
  const factorLock = lockAfterFailure({ failedCount: factorFailures, policy, now });
  const accountFailures = account.failedCount + 1;
  const accountLimit = policy.accountHardLimit ?? defaultAccountHardLimit;
  const accountLock = accountFailures >= accountLimit ? { lockedUntil: new Date(permanentLockUntil.getTime()) } : null;
  return {
    reason: 'invalid_code',
    countsTowardLockout: true,
    factor: { failedCount: factorFailures, lockedUntil: factorLock.lockedUntil ?? factor.lockedUntil },
    account: { failedCount: accountFailures, lockedUntil: accountLock?.lockedUntil ?? account.lockedUntil },
    factorLock: factorLock.lockedUntil === null ? null : { lockedUntil: factorLock.lockedUntil, isPermanent: factorLock.isPermanent },
    accountLock,
  };
}
