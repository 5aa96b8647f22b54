import { describe, expect, it } from 'vitest';
import {
  attemptId,
  externalUserId,
  factorKind,
  factorLabel,
  factorRejectReason,
  hostedOutcome,
  transactionToken,
  verificationResult,
  verifyRejectReason,
} from './index';

describe('words', () => {
  it('knows the five factor kinds and no other', () => {
    expect(factorKind.options).toEqual(['totp', 'recovery_codes', 'webauthn', 'push', 'bypass']);
    expect(factorKind.safeParse('sms').success).toBe(false);
  });

  it('leaves locked, account_locked and factor_not_active to the common path, not a factor check', () => {
    expect(verifyRejectReason.options).toEqual([
      'invalid_code',
      'replay',
      'locked',
      'account_locked',
      'factor_not_active',
      'verification_failed',
      'clone_suspected',
    ]);
    expect(factorRejectReason.options).toEqual(['invalid_code', 'replay', 'verification_failed', 'clone_suspected']);
  });
});

describe('ids', () => {
  it.each(['a1b2c3d4', 'hosted-txn-1', 'app:user.1_2', 'x'.repeat(128)])('accepts attempt id %s', (id) => {
    expect(attemptId.safeParse(id).success).toBe(true);
  });

  it.each(['short', 'x'.repeat(129), 'has space1', 'slash/es/', 'ümlaut-id'])('refuses attempt id %s', (id) => {
    expect(attemptId.safeParse(id).success).toBe(false);
  });

  it('trims user ids and labels and refuses empty ones', () => {
    expect(externalUserId.parse('  alice ')).toBe('alice');
    expect(externalUserId.safeParse('   ').success).toBe(false);
    expect(externalUserId.safeParse('u'.repeat(129)).success).toBe(false);
    expect(factorLabel.parse(' Work phone ')).toBe('Work phone');
    expect(factorLabel.safeParse('l'.repeat(65)).success).toBe(false);
  });

  it('bounds transaction tokens', () => {
    expect(transactionToken.safeParse('t'.repeat(19)).success).toBe(false);
    expect(transactionToken.safeParse('t'.repeat(20)).success).toBe(true);
    expect(transactionToken.safeParse('t'.repeat(101)).success).toBe(false);
  });
});

describe('outcomes', () => {
  it('carries a reason only from the closed set', () => {
    const result = {
      attemptId: 'a1b2c3d4',
      outcome: 'rejected',
      reason: 'replay',
      factorId: null,
      decidedAt: '2025-01-01T00:00:00.000Z',
      gatewayId: 'g',
      region: 'r',
      replayed: false,
    };
    expect(verificationResult.safeParse(result).success).toBe(true);
    expect(verificationResult.safeParse({ ...result, reason: 'guessed' }).success).toBe(false);
    expect(verificationResult.safeParse({ ...result, extra: 1 }).success).toBe(false);
  });

  it('tells an accepted hosted outcome (redirect) from a rejected one (reason)', () => {
    expect(hostedOutcome.parse({ outcome: 'accepted', redirectUrl: 'https://app.example/cb' })).toEqual({
      outcome: 'accepted',
      redirectUrl: 'https://app.example/cb',
    });
    expect(hostedOutcome.parse({ outcome: 'rejected', reason: null })).toEqual({ outcome: 'rejected', reason: null });
    expect(hostedOutcome.safeParse({ outcome: 'rejected', redirectUrl: 'https://app.example/cb' }).success).toBe(false);
  });
});
