import { HoldfastApiError } from '@holdfast/sdk';
import { describe, expect, it } from 'vitest';
import { formatTimeLeft } from './app';
import { describeHoldfastError, describePushEnd, describeWait } from './messages';

describe('push messages', () => {
  it('says when to try again from Retry-After', () => {
    expect(describeWait(undefined)).toBe('later');
    expect(describeWait(0)).toBe('later');
    expect(describeWait(1)).toBe('in 1 second');
    expect(describeWait(44_100)).toBe('in 45 seconds');
    expect(describeWait(60_000)).toBe('in 1 minute');
    expect(describeWait(20 * 60_000 - 1)).toBe('in 20 minutes');
  });

  it('explains each push refusal and points to the other factors', () => {
    const limit = describeHoldfastError(new HoldfastApiError('PUSH_LIMIT_REACHED', 429, 'limit', 90_000));
    expect(limit).toBe('Too many requests were sent to your phone in a short time. Try again in 2 minutes, or choose another way below.');
    expect(describeHoldfastError(new HoldfastApiError('PUSH_SUSPENDED', 403, 'suspended', 1_200_000))).toContain('reported as fraud. Try again in 20 minutes');
    expect(describeHoldfastError(new HoldfastApiError('PUSH_PENDING', 409, 'pending'))).toContain('already waiting on your phone');
    expect(describeHoldfastError(new HoldfastApiError('FACTOR_NOT_FOUND', 404, 'none'))).toContain('No phone is paired');
  });

  it('says how a push ended', () => {
    expect(describePushEnd({ status: 'expired' })).toMatch(/^No answer in time/);
    expect(describePushEnd({ status: 'denied', reason: 'denied_by_user' })).toMatch(/^The request was denied on your phone\./);
    expect(describePushEnd({ status: 'denied', reason: 'wrong_number' })).toMatch(/^The request was denied on your phone: the number/);
    expect(describePushEnd({ status: 'denied', reason: 'fraud_reported' })).toContain('reported as fraud');
  });

  it('formats the time left as m:ss, never negative', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    expect(formatTimeLeft('2026-01-01T00:01:00.000Z', now)).toBe('1:00');
    expect(formatTimeLeft('2026-01-01T00:00:41.200Z', now)).toBe('0:42');
    expect(formatTimeLeft('2025-12-31T23:59:00.000Z', now)).toBe('0:00');
  });
});
