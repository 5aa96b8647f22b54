import { describe, expect, it } from 'vitest';

import type { LockoutPolicy } from './lockout';
import { defaultLockoutPolicy, isFactorLocked, lockAfterFailure, permanentLockUntil, validateLockoutPolicy } from './lockout';

const now = new Date('2026-03-01T12:00:00Z');
const policy = defaultLockoutPolicy;

describe('lockout after consecutive failures', () => {
  it('does not lock below the threshold', () => {
    for (let failedCount = 1; failedCount < policy.threshold; failedCount += 1) {
      expect(lockAfterFailure({ failedCount, policy, now })).toEqual({ lockedUntil: null, isPermanent: false });
    }
  });

  it('locks for lockSeconds at the threshold and at each multiple of it', () => {
    for (const failedCount of [10, 20, 50, 90]) {
      expect(lockAfterFailure({ failedCount, policy, now })).toEqual({
        lockedUntil: new Date(now.getTime() + 900_000),
        isPermanent: false,
      });
    }
    expect(lockAfterFailure({ failedCount: 11, policy, now }).lockedUntil).toBeNull();
  });

  it('locks permanently at the hard limit (NIST 800-63B: at most 100 consecutive failures)', () => {
    for (const failedCount of [100, 101, 250]) {
      expect(lockAfterFailure({ failedCount, policy, now })).toEqual({
        lockedUntil: permanentLockUntil,
        isPermanent: true,
      });
    }
  });

  it('honours a hard limit that is not a multiple of the threshold', () => {
    const custom: LockoutPolicy = { threshold: 3, lockSeconds: 60, hardLimit: 7 };
    expect(lockAfterFailure({ failedCount: 6, policy: custom, now }).isPermanent).toBe(false);
    expect(lockAfterFailure({ failedCount: 7, policy: custom, now }).isPermanent).toBe(true);
  });

  it('hands out a copy so callers cannot move the permanent date', () => {
    const { lockedUntil } = lockAfterFailure({ failedCount: 100, policy, now });
    lockedUntil?.setTime(0);
    expect(permanentLockUntil.toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('refuses a nonsensical failure count', () => {
    for (const failedCount of [0, -1, 1.5, Number.NaN]) {
      expect(() => lockAfterFailure({ failedCount, policy, now })).toThrow();
    }
  });
});

describe('isFactorLocked', () => {
  it('is unlocked with no lock, locked until the instant, unlocked from it on', () => {
    const until = new Date(now.getTime() + 1000);
    expect(isFactorLocked({ lockedUntil: null, now })).toBe(false);
    expect(isFactorLocked({ lockedUntil: until, now })).toBe(true);
    expect(isFactorLocked({ lockedUntil: until, now: until })).toBe(false);
    expect(isFactorLocked({ lockedUntil: permanentLockUntil, now: new Date('9000-01-01T00:00:00Z') })).toBe(true);
  });
});

describe('validateLockoutPolicy', () => {
  it('accepts the default and the NIST boundary', () => {
    expect(() => {
      validateLockoutPolicy(defaultLockoutPolicy);
      validateLockoutPolicy({ threshold: 1, lockSeconds: 1, hardLimit: 1 });
      validateLockoutPolicy({ threshold: 100, lockSeconds: 1, hardLimit: 100 });
    }).not.toThrow();
  });

  it.each([
    ['threshold 0', { threshold: 0, lockSeconds: 60, hardLimit: 10 }],
    ['threshold above hardLimit', { threshold: 20, lockSeconds: 60, hardLimit: 10 }],
    ['hardLimit above 100', { threshold: 10, lockSeconds: 60, hardLimit: 101 }],
    ['lockSeconds 0', { threshold: 10, lockSeconds: 0, hardLimit: 100 }],
    ['fractional values', { threshold: 2.5, lockSeconds: 60, hardLimit: 100 }],
    ['NaN', { threshold: Number.NaN, lockSeconds: 60, hardLimit: 100 }],
  ])('rejects %s', (_name, candidate: LockoutPolicy) => {
    expect(() => {
      validateLockoutPolicy(candidate);
    }).toThrow();
  });
});
