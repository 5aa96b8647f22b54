import type { FactorStatus } from '@holdfast/validators';
import { describe, expect, it } from 'vitest';

import { decideVerification, refusalBeforeCheck, type CheckOutcome, type FactorState, type LockState } from './decide-verification';
import { permanentLockUntil, type LockoutPolicy } from './lockout';

const now = new Date('2026-03-01T12:00:00Z');
const policy: LockoutPolicy = { threshold: 10, lockSeconds: 900, hardLimit: 100, accountHardLimit: 100 };
const past = new Date(now.getTime() - 1);
const future = new Date(now.getTime() + 1);

const factor = (overrides: Partial<FactorState> = {}): FactorState => ({ status: 'active', failedCount: 0, lockedUntil: null, ...overrides });
const account = (overrides: Partial<LockState> = {}): LockState => ({ failedCount: 0, lockedUntil: null, ...overrides });
const match: CheckOutcome = { isMatch: true, isFirstUse: true };
const replayed: CheckOutcome = { isMatch: true, isFirstUse: false };
const wrong: CheckOutcome = { isMatch: false, reason: 'invalid_code' };

describe('refusalBeforeCheck: the checks that need no credential, in order', () => {
  it.each<FactorStatus>(['pending', 'revoked'])('a %s factor is not active, before any lock', (status) => {
    expect(refusalBeforeCheck({ factor: factor({ status, lockedUntil: future }), account: account({ lockedUntil: future }), now })).toBe('factor_not_active');
  });

  it('a locked account wins over a locked factor', () => {
    expect(refusalBeforeCheck({ factor: factor({ lockedUntil: future }), account: account({ lockedUntil: future }), now })).toBe('account_locked');
  });

  it('a locked factor on an unlocked account', () => {
    expect(refusalBeforeCheck({ factor: factor({ lockedUntil: future }), account: account(), now })).toBe('locked');
  });

  it('locks end exactly at their instant', () => {
    expect(refusalBeforeCheck({ factor: factor({ lockedUntil: now }), account: account({ lockedUntil: now }), now })).toBeNull();
    expect(refusalBeforeCheck({ factor: factor({ lockedUntil: past }), account: account({ lockedUntil: past }), now })).toBeNull();
    expect(refusalBeforeCheck({ factor: factor(), account: account({ lockedUntil: future }), now })).toBe('account_locked');
  });
});

describe('decideVerification', () => {
  it('a refusal before the check ignores the check and counts nothing', () => {
    for (const check of [null, match, wrong]) {
      const decision = decideVerification({
        factor: factor({ lockedUntil: future, failedCount: 10 }),
        account: account({ failedCount: 3 }),
        check,
        policy,
        now,
      });
      expect(decision).toEqual({
        reason: 'locked',
        countsTowardLockout: false,
        factor: { failedCount: 10, lockedUntil: future },
        account: { failedCount: 3, lockedUntil: null },
        factorLock: null,
        accountLock: null,
      });
    }
    expect(decideVerification({ factor: factor(), account: account({ lockedUntil: permanentLockUntil }), check: match, policy, now }).reason).toBe(
      'account_locked',
    );
    expect(decideVerification({ factor: factor({ status: 'pending' }), account: account(), check: match, policy, now }).reason).toBe('factor_not_active');
  });

  it('refuses to decide without the check when nothing refused before it', () => {
    expect(() => decideVerification({ factor: factor(), account: account(), check: null, policy, now })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });

  it('a match resets both counters and keeps an expired lock date as it was', () => {
    const decision = decideVerification({
      factor: factor({ failedCount: 9, lockedUntil: past }),
      account: account({ failedCount: 42 }),
      check: match,
      policy,
      now,
    });
    expect(decision).toEqual({
      reason: null,
      countsTowardLockout: false,
      factor: { failedCount: 0, lockedUntil: past },
      account: { failedCount: 0, lockedUntil: null },
      factorLock: null,
      accountLock: null,
    });
  });

  it('a replay (right credential, already used) is refused and counts nothing', () => {
    const decision = decideVerification({ factor: factor({ failedCount: 9 }), account: account({ failedCount: 99 }), check: replayed, policy, now });
    expect(decision).toMatchObject({
      reason: 'replay',
      countsTowardLockout: false,
      factor: { failedCount: 9 },
      account: { failedCount: 99 },
      accountLock: null,
    });
  });

  it.each(['verification_failed', 'clone_suspected', 'replay'] as const)('%s from the check is not a guess: not counted', (reason) => {
    const decision = decideVerification({
      factor: factor({ failedCount: 9 }),
      account: account({ failedCount: 99 }),
      check: { isMatch: false, reason },
      policy,
      now,
    });
    expect(decision).toMatchObject({
      reason,
      countsTowardLockout: false,
      factor: { failedCount: 9 },
      account: { failedCount: 99 },
      factorLock: null,
      accountLock: null,
    });
  });

  it('a wrong code counts on the factor and on the account', () => {
    const decision = decideVerification({ factor: factor({ failedCount: 3 }), account: account({ failedCount: 7 }), check: wrong, policy, now });
    expect(decision).toEqual({
      reason: 'invalid_code',
      countsTowardLockout: true,
      factor: { failedCount: 4, lockedUntil: null },
      account: { failedCount: 8, lockedUntil: null },
      factorLock: null,
      accountLock: null,
    });
  });

  it('locks the factor for lockSeconds at the threshold (and only there)', () => {
    const below = decideVerification({ factor: factor({ failedCount: 8 }), account: account(), check: wrong, policy, now });
    expect(below.factorLock).toBeNull();
    const at = decideVerification({ factor: factor({ failedCount: 9 }), account: account(), check: wrong, policy, now });
    const until = new Date(now.getTime() + 900_000);
    expect(at.factorLock).toEqual({ lockedUntil: until, isPermanent: false });
    expect(at.factor).toEqual({ failedCount: 10, lockedUntil: until });
    const after = decideVerification({ factor: factor({ failedCount: 10, lockedUntil: past }), account: account(), check: wrong, policy, now });
    expect(after.factorLock).toBeNull();
    expect(after.factor).toEqual({ failedCount: 11, lockedUntil: past });
  });

  it('locks the factor for good at its hard limit', () => {
    const decision = decideVerification({ factor: factor({ failedCount: 99 }), account: account(), check: wrong, policy, now });
    expect(decision.factorLock).toEqual({ lockedUntil: permanentLockUntil, isPermanent: true });
  });

  it('locks the account for good at the account cap (failures spread over factors)', () => {
    const small: LockoutPolicy = { ...policy, accountHardLimit: 5 };
    const below = decideVerification({ factor: factor({ failedCount: 0 }), account: account({ failedCount: 3 }), check: wrong, policy: small, now });
    expect(below.accountLock).toBeNull();
    expect(below.account).toEqual({ failedCount: 4, lockedUntil: null });
    const at = decideVerification({ factor: factor({ failedCount: 0 }), account: account({ failedCount: 4 }), check: wrong, policy: small, now });
    expect(at.accountLock).toEqual({ lockedUntil: permanentLockUntil });
    expect(at.account).toEqual({ failedCount: 5, lockedUntil: permanentLockUntil });
    expect(at.factor).toEqual({ failedCount: 1, lockedUntil: null });
    expect(at.factorLock).toBeNull();
    // A count beyond the cap (e.g. after the cap was lowered) locks too.
    expect(decideVerification({ factor: factor(), account: account({ failedCount: 50 }), check: wrong, policy: small, now }).accountLock).not.toBeNull();
  });

  it('the account cap defaults to 100 (NIST SP 800-63B)', () => {
    const withoutCap: LockoutPolicy = { threshold: 10, lockSeconds: 900, hardLimit: 100 };
    expect(decideVerification({ factor: factor(), account: account({ failedCount: 98 }), check: wrong, policy: withoutCap, now }).accountLock).toBeNull();
    expect(decideVerification({ factor: factor(), account: account({ failedCount: 99 }), check: wrong, policy: withoutCap, now }).accountLock).toEqual({
      lockedUntil: permanentLockUntil,
    });
  });

  it('hands out copies: a caller cannot move the permanent date', () => {
    const decision = decideVerification({ factor: factor(), account: account({ failedCount: 99 }), check: wrong, policy, now });
    decision.accountLock?.lockedUntil.setTime(0);
    expect(permanentLockUntil.toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('refuses an invalid policy', () => {
    expect(() => decideVerification({ factor: factor(), account: account(), check: wrong, policy: { ...policy, accountHardLimit: 101 }, now })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
    expect(() => decideVerification({ factor: factor(), account: account(), check: wrong, policy: { ...policy, accountHardLimit: 0 }, now })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });
});
