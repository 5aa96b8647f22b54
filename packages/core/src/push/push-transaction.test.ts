import { describe, expect, it } from 'vitest';

import {
  decidePushAnswer,
  defaultPushClockSkewMs,
  effectivePushStatus,
  isPushTransitionAllowed,
  maxPushTransactionTtlMs,
  minPushTransactionTtlMs,
  pushTransactionExpiresAt,
  pushTransactionStatuses,
  type PushAnswer,
  type PushAnswerDecision,
  type PushTransactionState,
} from './push-transaction';

const now = new Date('2026-03-01T12:00:00Z');
const at = (ms: number): Date => new Date(now.getTime() + ms);

const transaction: PushTransactionState = {
  id: 'tx-1',
  status: 'pending',
  expiresAt: at(30_000),
  number: '47',
  userId: 'user-1',
  deviceIds: ['device-a', 'device-b'],
};
const approve: PushAnswer = { transactionId: 'tx-1', typedNumber: '47', decision: 'approve', deviceTime: now, deviceId: 'device-a' };

function decide(overrides: { transaction?: Partial<PushTransactionState>; answer?: Partial<PushAnswer>; now?: Date }): PushAnswerDecision {
  return decidePushAnswer({
    transaction: { ...transaction, ...overrides.transaction },
    answer: { ...approve, ...overrides.answer },
    now: overrides.now ?? now,
    clockSkewMs: defaultPushClockSkewMs,
  });
}

describe('[PUSH_APPROVE_NUMBER] a pending transaction approved with the right number', () => {
  it('is approved, from any of the user’s devices, with the number typed as people type it', () => {
    expect(decide({})).toEqual({ isTransition: true, status: 'approved', reason: 'approved', shouldSuspendPush: false });
    expect(decide({ answer: { deviceId: 'device-b', typedNumber: ' 4 7 ' } })).toMatchObject({ status: 'approved' });
  });
});

describe('[PUSH_WRONG_NUMBER] a wrong number denies the transaction', () => {
  it('denies with reason wrong_number: one guess per push, not one per number', () => {
    for (const typedNumber of ['74', '', '4', 'forty-seven', '470']) {
      expect(decide({ answer: { typedNumber } })).toEqual({ isTransition: true, status: 'denied', reason: 'wrong_number', shouldSuspendPush: false });
    }
  });
});

describe('[PUSH_DENY_FRAUD] "This wasn’t me" and "Report fraud"', () => {
  it('deny needs no number (the person who did not start the login cannot know it)', () => {
    expect(decide({ answer: { decision: 'deny', typedNumber: '' } })).toEqual({
      isTransition: true,
      status: 'denied',
      reason: 'denied_by_user',
      shouldSuspendPush: false,
    });
  });

  it('fraud denies and asks the caller to suspend push for the user', () => {
    expect(decide({ answer: { decision: 'fraud', typedNumber: '' } })).toEqual({
      isTransition: true,
      status: 'denied',
      reason: 'fraud_reported',
      shouldSuspendPush: true,
    });
  });
});

describe('[PUSH_EXPIRED] expiry is the gateway’s clock, never the device’s', () => {
  it('expires a transaction answered at or after its expiry, whatever the answer', () => {
    for (const decision of ['approve', 'deny', 'fraud'] as const) {
      expect(decide({ answer: { decision, deviceTime: at(30_000) }, now: at(30_000) })).toEqual({
        isTransition: true,
        status: 'expired',
        reason: 'expired',
        shouldSuspendPush: false,
      });
    }
    expect(decide({ answer: { deviceTime: at(29_999) }, now: at(29_999) })).toMatchObject({ status: 'approved' });
  });

  it('does not let a device clock that says "earlier" revive an expired transaction', () => {
    expect(decide({ answer: { deviceTime: at(0) }, now: at(31_000) })).toMatchObject({ status: 'expired' });
  });
});

describe('answers that must change nothing', () => {
  it('refuses a device that is not one of the user’s (a stranger cannot deny or expire someone’s login)', () => {
    for (const decision of ['approve', 'deny', 'fraud'] as const) {
      expect(decide({ answer: { decision, deviceId: 'device-of-someone-else' } })).toEqual({
        isTransition: false,
        status: 'pending',
        reason: 'unknown_device',
        shouldSuspendPush: false,
      });
    }
    expect(decide({ answer: { deviceId: 'device-a' }, transaction: { deviceIds: [] } })).toMatchObject({ isTransition: false, reason: 'unknown_device' });
  });

  it('[PUSH_SIGNATURE_REPLAY] refuses an answer to an already decided transaction (the second of two is not_pending)', () => {
    for (const status of ['approved', 'denied', 'expired'] as const) {
      for (const decision of ['approve', 'deny', 'fraud'] as const) {
        expect(decide({ transaction: { status }, answer: { decision } })).toEqual({
          isTransition: false,
          status,
          reason: 'not_pending',
          shouldSuspendPush: false,
        });
      }
    }
    // Decided and past expiry: still not_pending, the recorded outcome is never rewritten to expired.
    expect(decide({ transaction: { status: 'approved' }, now: at(60_000), answer: { deviceTime: at(60_000) } })).toMatchObject({ reason: 'not_pending' });
  });

  it('[PUSH_SIGNATURE_REPLAY] refuses an answer naming another transaction', () => {
    expect(decide({ answer: { transactionId: 'tx-2' } })).toMatchObject({ isTransition: false, status: 'pending', reason: 'unknown_transaction' });
  });

  it('refuses a device clock outside the skew, either way, and an invalid time', () => {
    expect(decide({ answer: { deviceTime: at(-defaultPushClockSkewMs) } })).toMatchObject({ status: 'approved' });
    expect(decide({ answer: { deviceTime: at(defaultPushClockSkewMs) } })).toMatchObject({ status: 'approved' });
    for (const deviceTime of [at(-defaultPushClockSkewMs - 1), at(defaultPushClockSkewMs + 1), new Date(Number.NaN)]) {
      for (const decision of ['approve', 'deny', 'fraud'] as const) {
        expect(decide({ answer: { deviceTime, decision } })).toEqual({
          isTransition: false,
          status: 'pending',
          reason: 'device_clock_skew',
          shouldSuspendPush: false,
        });
      }
    }
  });

  it('never throws for a hand-made answer: an unknown decision or a non-date time is refused', () => {
    const handMade = JSON.parse('{"decision":"approve_all","deviceTime":"yesterday","typedNumber":47}') as Record<string, unknown>;
    expect(decide({ answer: { decision: handMade.decision as PushAnswer['decision'] } })).toMatchObject({ isTransition: false, reason: 'malformed_answer' });
    expect(decide({ answer: { deviceTime: handMade.deviceTime as Date } })).toMatchObject({ isTransition: false, reason: 'device_clock_skew' });
    expect(decide({ answer: { typedNumber: handMade.typedNumber as string } })).toMatchObject({ status: 'denied', reason: 'wrong_number' });
  });

  it('treats a negative or non-finite skew as a configuration error', () => {
    expect(() => decidePushAnswer({ transaction, answer: approve, now, clockSkewMs: -1 })).toThrow(/clock skew/u);
    expect(() => decidePushAnswer({ transaction, answer: approve, now, clockSkewMs: Number.NaN })).toThrow(/clock skew/u);
  });
});

describe('the compare-and-set’s fact', () => {
  it('allows approved/denied only from pending and before expiry, expired only from pending at or after it', () => {
    const expiresAt = at(1000);
    for (const to of ['approved', 'denied'] as const) {
      expect(isPushTransitionAllowed({ status: 'pending', expiresAt, to, at: at(999) })).toBe(true);
      expect(isPushTransitionAllowed({ status: 'pending', expiresAt, to, at: at(1000) })).toBe(false);
    }
    expect(isPushTransitionAllowed({ status: 'pending', expiresAt, to: 'expired', at: at(999) })).toBe(false);
    expect(isPushTransitionAllowed({ status: 'pending', expiresAt, to: 'expired', at: at(1000) })).toBe(true);
    for (const status of ['approved', 'denied', 'expired'] as const) {
      for (const to of ['approved', 'denied', 'expired'] as const) {
        expect(isPushTransitionAllowed({ status, expiresAt, to, at: at(0) })).toBe(false);
        expect(isPushTransitionAllowed({ status, expiresAt, to, at: at(5000) })).toBe(false);
      }
    }
  });

  it('holds for every transition decidePushAnswer hands out (the decision never asks for a write the CAS would refuse)', () => {
    const offsets = [-40_000, -1, 0, 1, 29_999, 30_000, 30_001, 90_000];
    for (const status of pushTransactionStatuses) {
      for (const nowOffset of offsets) {
        for (const decision of ['approve', 'deny', 'fraud'] as const) {
          for (const typedNumber of ['47', '48']) {
            const when = at(nowOffset);
            const result = decide({ transaction: { status }, answer: { decision, typedNumber, deviceTime: when }, now: when });
            if (result.isTransition) {
              expect(isPushTransitionAllowed({ status, expiresAt: transaction.expiresAt, to: result.status, at: when })).toBe(true);
            } else {
              expect(result.status).toBe(status);
            }
          }
        }
      }
    }
  });
});

describe('transaction life', () => {
  it('defaults to 60 s and accepts 15 s to 5 min', () => {
    expect(pushTransactionExpiresAt({ now })).toEqual(at(60_000));
    expect(pushTransactionExpiresAt({ now, ttlMs: minPushTransactionTtlMs })).toEqual(at(15_000));
    expect(pushTransactionExpiresAt({ now, ttlMs: maxPushTransactionTtlMs })).toEqual(at(300_000));
    for (const ttlMs of [0, 14_999, 300_001, 1.5, Number.POSITIVE_INFINITY]) {
      expect(() => pushTransactionExpiresAt({ now, ttlMs })).toThrow(/push transaction lives/u);
    }
  });

  it('reports a pending transaction past its expiry as expired before anything writes it', () => {
    expect(effectivePushStatus({ status: 'pending', expiresAt: at(1), now })).toBe('pending');
    expect(effectivePushStatus({ status: 'pending', expiresAt: now, now })).toBe('expired');
    expect(effectivePushStatus({ status: 'approved', expiresAt: at(-1), now })).toBe('approved');
  });
});
