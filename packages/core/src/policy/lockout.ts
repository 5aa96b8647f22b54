import { HoldfastError } from '../errors';

/**
 * Consecutive-failure lockout for one factor. Counting happens atomically in the database
 * (DESIGN invariant 4); this module only decides what a given count means.
 */
export interface LockoutPolicy {
  /** Every `threshold`-th consecutive failure locks the factor for `lockSeconds`. */
  threshold: number;
  lockSeconds: number;
  /** At this many consecutive failures the factor locks until an admin resets it. */
  hardLimit: number;
  /**
   * At this many consecutive failures across ALL of a user's factors the account locks until
   * `factors.unlock` (NIST SP 800-63B: the cap is per subscriber account, not per authenticator;
   * without it a user with n factors gives n × hardLimit guesses). Default 100.
   */
  accountHardLimit?: number;
}

export const defaultLockoutPolicy: LockoutPolicy = { threshold: 10, lockSeconds: 900, hardLimit: 100 };

export const defaultAccountHardLimit = 100;

/** NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account. */
const nistMaxConsecutiveFailures = 100;

/**
 * A lock that never expires on its own; stored as a real timestamp so "locked" stays one
 * comparison everywhere. Treat as read-only: `lockAfterFailure` hands out copies.
 */
export const permanentLockUntil = new Date('9999-12-31T23:59:59.999Z');

export function validateLockoutPolicy(policy: LockoutPolicy): void {
  const { threshold, lockSeconds, hardLimit } = policy;
  if (!Number.isInteger(threshold) || !Number.isInteger(hardLimit) || !Number.isInteger(lockSeconds)) {
    throw new HoldfastError('BAD_REQUEST', 'Lockout policy values must be integers');
  }
  if (threshold < 1 || threshold > hardLimit || hardLimit > nistMaxConsecutiveFailures) {
    throw new HoldfastError('BAD_REQUEST', `Lockout policy needs 1 <= threshold <= hardLimit <= ${nistMaxConsecutiveFailures}`);
  }
  if (lockSeconds < 1) {
    throw new HoldfastError('BAD_REQUEST', 'Lockout policy lockSeconds must be at least 1');
  }
  const { accountHardLimit } = policy;
  if (accountHardLimit !== undefined && (!Number.isInteger(accountHardLimit) || accountHardLimit < 1 || accountHardLimit > nistMaxConsecutiveFailures)) {
    throw new HoldfastError('BAD_REQUEST', `Lockout policy needs 1 <= accountHardLimit <= ${nistMaxConsecutiveFailures}`);
  }
}

export function isFactorLocked({ lockedUntil, now }: { lockedUntil: Date | null; now: Date }): boolean {
  return lockedUntil !== null && now.getTime() < lockedUntil.getTime();
}

/**
 * What to store after a failed verification.
 *
 * @param failedCount consecutive failures including this one, as counted atomically by the store.
 */
export function lockAfterFailure({ failedCount, policy, now }: { failedCount: number; policy: LockoutPolicy; now: Date }): {
  lockedUntil: Date | null;
  isPermanent: boolean;
} {
  validateLockoutPolicy(policy);
  if (!Number.isSafeInteger(failedCount) || failedCount < 1) {
    throw new HoldfastError('INTERNAL', 'Failed attempt count must be a positive integer');
  }
  if (failedCount >= policy.hardLimit) {
    return { lockedUntil: new Date(permanentLockUntil.getTime()), isPermanent: true };
  }
  if (failedCount % policy.threshold === 0) {
    return { lockedUntil: new Date(now.getTime() + policy.lockSeconds * 1000), isPermanent: false };
  }
  return { lockedUntil: null, isPermanent: false };
}
