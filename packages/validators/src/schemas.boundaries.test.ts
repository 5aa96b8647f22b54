// Each word's schema accepts what it names and refuses its neighbours: the boundaries a caller
// meets (a token one character too short, a reason a factor's own check may not give, …).
import { describe, expect, it } from 'vitest';
import { attemptId, enrollmentFactorStatus, enrollmentLinkToken, factorRejectReason, hostedOutcome, totpCode, totpDigits, transactionToken } from './index';

describe('validators: boundaries of each word', () => {
  it('TOTP digits are 6 or 8, nothing between or beyond', () => {
    expect(totpDigits.safeParse(6).success).toBe(true);
    expect(totpDigits.safeParse(8).success).toBe(true);
    for (const digits of [5, 7, 9, 0]) expect(totpDigits.safeParse(digits).success).toBe(false);
  });

  it('a malformed TOTP code or attempt id is refused with a sentence a developer can act on', () => {
    const code = totpCode.safeParse('12345');
    expect(code.success).toBe(false);
    expect(code.error?.issues[0]?.message).toBe('a 6- or 8-digit code');
    const id = attemptId.safeParse('bad id with spaces');
    expect(id.success).toBe(false);
    expect(id.error?.issues[0]?.message).toBe('letters, digits and . _ : - only');
  });

  it('link and transaction tokens are 20 to 100 characters', () => {
    for (const schema of [enrollmentLinkToken, transactionToken]) {
      expect(schema.safeParse('a'.repeat(19)).success).toBe(false);
      expect(schema.safeParse('a'.repeat(20)).success).toBe(true);
      expect(schema.safeParse('a'.repeat(100)).success).toBe(true);
      expect(schema.safeParse('a'.repeat(101)).success).toBe(false);
    }
  });

  it('a user never sees a revoked factor as theirs', () => {
    expect(enrollmentFactorStatus.safeParse('revoked').success).toBe(false);
    expect(enrollmentFactorStatus.safeParse('pending').success).toBe(true);
    expect(enrollmentFactorStatus.safeParse('active').success).toBe(true);
  });

  it("a factor's own check cannot claim a lock or an inactive factor: those are decided before it runs", () => {
    for (const reason of ['locked', 'account_locked', 'factor_not_active']) expect(factorRejectReason.safeParse(reason).success).toBe(false);
    for (const reason of ['invalid_code', 'replay', 'verification_failed', 'clone_suspected']) expect(factorRejectReason.safeParse(reason).success).toBe(true);
  });

  it('a hosted outcome is either accepted with where to go, or rejected with a known reason', () => {
    expect(hostedOutcome.safeParse({ outcome: 'accepted', redirectUrl: 'https://app.example/cb?code=x' }).success).toBe(true);
    expect(hostedOutcome.safeParse({ outcome: 'rejected', reason: 'invalid_code' }).success).toBe(true);
    expect(hostedOutcome.safeParse({ outcome: 'rejected', reason: null }).success).toBe(true);
    expect(hostedOutcome.safeParse({ outcome: 'rejected', reason: 'made_up' }).success).toBe(false);
    expect(hostedOutcome.safeParse({ outcome: 'accepted' }).success).toBe(false);
    expect(hostedOutcome.safeParse({ outcome: 'accepted', redirectUrl: 'x', reason: null }).success).toBe(false);
    expect(hostedOutcome.safeParse({ outcome: 'maybe', redirectUrl: 'x' }).success).toBe(false);
  });
});
