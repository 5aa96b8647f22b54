import { describe, expect, it } from 'vitest';
import { canSendPushAgain, formatCountdown, pushWaitAnswer, pushWaitError, pushWaitRequest, toPushWaitAnswer, toStepUpPushWaitAnswer } from './push-wait';

describe('push wait (hosted page "Approve on your phone")', () => {
  it('an approval leaves for the redirect; pending keeps waiting', () => {
    expect(toPushWaitAnswer({ status: 'approved', outcome: { outcome: 'accepted', redirectUrl: 'https://app.example.com/cb?code=x&state=s' } })).toEqual({
      state: 'approved',
      redirectUrl: 'https://app.example.com/cb?code=x&state=s',
    });
    expect(toPushWaitAnswer({ status: 'pending', outcome: null })).toEqual({ state: 'pending' });
  });

  it('denied and expired are told in words; a wrong number says so', () => {
    const denied = toPushWaitAnswer({ status: 'denied', outcome: { outcome: 'rejected', reason: null } });
    expect(denied).toMatchObject({ state: 'denied', reason: null, message: expect.stringMatching(/denied on your phone/) as unknown });
    const wrong = toPushWaitAnswer({ status: 'denied', outcome: { outcome: 'rejected', reason: 'invalid_code' } });
    expect(wrong).toMatchObject({ state: 'denied', message: expect.stringMatching(/did not match/) as unknown });
    expect(toPushWaitAnswer({ status: 'expired', outcome: null })).toMatchObject({
      state: 'expired',
      message: expect.stringMatching(/No answer in time/) as unknown,
    });
  });

  it('an approval without an outcome (already completed elsewhere) is never a second redirect', () => {
    expect(toPushWaitAnswer({ status: 'approved', outcome: null })).toMatchObject({ state: 'error', code: 'TRANSACTION_COMPLETED' });
  });

  it('refusals have their own words, never the code', () => {
    for (const code of [
      'PUSH_PENDING',
      'PUSH_LIMIT_REACHED',
      'PUSH_SUSPENDED',
      'FACTOR_KIND_NOT_ALLOWED',
      'TRANSACTION_ATTEMPTS_EXCEEDED',
      'GATEWAY_UNAVAILABLE',
    ]) {
      const answer = pushWaitError(code);
      expect(answer.state).toBe('error');
      expect(answer.state === 'error' ? answer.message : '').not.toContain(code);
      expect(answer.state === 'error' ? answer.message : '').not.toMatch(/Something went wrong/);
    }
  });

  it('the browser accepts only well-formed answers: a redirect must be http(s)', () => {
    expect(pushWaitAnswer.safeParse({ state: 'approved', redirectUrl: 'javascript:alert(1)' }).success).toBe(false);
    expect(pushWaitAnswer.safeParse({ state: 'pending', extra: 1 }).success).toBe(false);
    expect(pushWaitRequest.safeParse({ token: 't', transactionId: 'not-a-uuid' }).success).toBe(false);
  });

  it('counts down in minutes and seconds, never below zero', () => {
    expect(formatCountdown(60_000)).toBe('1:00');
    expect(formatCountdown(45_200)).toBe('0:46');
    expect(formatCountdown(-5)).toBe('0:00');
  });

  it('a step-up approval confirms until the gateway says; without a validUntil it is not a confirmation', () => {
    expect(toStepUpPushWaitAnswer({ status: 'approved', validUntil: '2026-11-29T10:05:00.000Z' })).toEqual({
      state: 'confirmed',
      validUntil: '2026-11-29T10:05:00.000Z',
    });
    expect(toStepUpPushWaitAnswer({ status: 'approved', validUntil: null })).toMatchObject({ state: 'error', code: 'STEP_UP_REQUIRED' });
    expect(toStepUpPushWaitAnswer({ status: 'denied', validUntil: null })).toMatchObject({ state: 'denied' });
  });

  it('offers "Send again" only where another push can help', () => {
    expect(canSendPushAgain('PUSH_PENDING')).toBe(true);
    expect(canSendPushAgain('GATEWAY_UNAVAILABLE')).toBe(true);
    expect(canSendPushAgain('PUSH_SUSPENDED')).toBe(false);
    expect(canSendPushAgain('TRANSACTION_ATTEMPTS_EXCEEDED')).toBe(false);
  });
});
