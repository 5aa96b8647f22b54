import { describe, expect, it } from 'vitest';

import {
  decidePushBegin,
  defaultPushFatigueLimits,
  defaultPushFraudSuspensionMs,
  pushSuspendedUntilAfterFraud,
  validatePushFatigueLimits,
} from './push-fatigue';

const now = new Date('2026-03-01T12:00:00Z');
const at = (ms: number): Date => new Date(now.getTime() + ms);
const policy = { ...defaultPushFatigueLimits, suspendedUntil: null };
const windowMs = defaultPushFatigueLimits.windowMs;

describe('[PUSH_FATIGUE] limits on beginning a push', () => {
  it('allows a first push', () => {
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: [], policy, now })).toEqual({ isAllowed: true });
  });

  it('allows one pending push per user at a time, and says when the pending one ends', () => {
    expect(decidePushBegin({ pendingForUser: { expiresAt: at(42_000) }, recentBeginsForUser: [at(-18_000)], policy, now })).toEqual({
      isAllowed: false,
      reason: 'push_pending',
      retryAt: at(42_000),
      retryAfterMs: 42_000,
    });
  });

  it('does not let a pending row past its expiry (not yet swept) block the user forever', () => {
    expect(decidePushBegin({ pendingForUser: { expiresAt: now }, recentBeginsForUser: [at(-60_000)], policy, now })).toEqual({ isAllowed: true });
  });

  it('allows 3 per 5 minutes by default and refuses the 4th with the time the oldest leaves the window', () => {
    const begins = [at(-200_000), at(-100_000), at(-10_000)];
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: begins.slice(0, 2), policy, now })).toEqual({ isAllowed: true });
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: begins, policy, now })).toEqual({
      isAllowed: false,
      reason: 'push_rate_limited',
      retryAt: at(-200_000 + windowMs),
      retryAfterMs: windowMs - 200_000,
    });
  });

  it('counts a half-open window: a begin exactly windowMs ago has left it', () => {
    const begins = [at(-windowMs), at(-100_000), at(-10_000)];
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: begins, policy, now })).toEqual({ isAllowed: true });
    const justInside = [at(-windowMs + 1), at(-100_000), at(-10_000)];
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: justInside, policy, now })).toMatchObject({
      reason: 'push_rate_limited',
      retryAfterMs: 1,
    });
  });

  it('gives the retry time at which the count drops below the limit, in any order and above the limit', () => {
    // 5 begins in the window with a limit of 3: the 3rd oldest must leave, not the 1st.
    const begins = [at(-10_000), at(-250_000), at(-50_000), at(-280_000), at(-150_000)];
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: begins, policy, now })).toMatchObject({
      reason: 'push_rate_limited',
      retryAt: at(-150_000 + windowMs),
    });
  });

  it('counts begins stamped in the future by a fast gateway clock (skew never widens the limit)', () => {
    const begins = [at(-10_000), at(2_000), at(5_000)];
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: begins, policy, now })).toMatchObject({
      reason: 'push_rate_limited',
      retryAt: at(-10_000 + windowMs),
    });
  });

  it('honours a per-application limit', () => {
    const strict = { maxPerWindow: 1, windowMs: 60_000, suspendedUntil: null };
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: [at(-59_000)], policy: strict, now })).toMatchObject({ reason: 'push_rate_limited' });
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: [at(-60_000)], policy: strict, now })).toEqual({ isAllowed: true });
  });

  it('refuses everything while push is suspended after a fraud report, before any other check', () => {
    const suspended = { ...policy, suspendedUntil: at(600_000) };
    expect(decidePushBegin({ pendingForUser: { expiresAt: at(10_000) }, recentBeginsForUser: [now, now, now], policy: suspended, now })).toEqual({
      isAllowed: false,
      reason: 'push_suspended',
      retryAt: at(600_000),
      retryAfterMs: 600_000,
    });
    expect(decidePushBegin({ pendingForUser: null, recentBeginsForUser: [], policy: { ...policy, suspendedUntil: now }, now })).toEqual({ isAllowed: true });
  });

  it('refuses a nonsensical policy as a configuration error', () => {
    for (const limits of [
      { maxPerWindow: 0, windowMs },
      { maxPerWindow: 1.5, windowMs },
      { maxPerWindow: 101, windowMs },
      { maxPerWindow: 3, windowMs: 999 },
      { maxPerWindow: 3, windowMs: Number.NaN },
      { maxPerWindow: 3, windowMs: 24 * 60 * 60_000 + 1 },
    ]) {
      expect(() => {
        validatePushFatigueLimits(limits);
      }).toThrow(/Push fatigue/u);
      expect(() => decidePushBegin({ pendingForUser: null, recentBeginsForUser: [], policy: { ...limits, suspendedUntil: null }, now })).toThrow(
        /Push fatigue/u,
      );
    }
  });
});

describe('[PUSH_DENY_FRAUD] suspension after a fraud report', () => {
  it('suspends push for 20 minutes by default', () => {
    expect(pushSuspendedUntilAfterFraud({ now, currentSuspendedUntil: null })).toEqual(at(defaultPushFraudSuspensionMs));
    expect(defaultPushFraudSuspensionMs).toBe(20 * 60_000);
  });

  it('never shortens a suspension already in force, and extends an older one', () => {
    expect(pushSuspendedUntilAfterFraud({ now, currentSuspendedUntil: at(3_600_000) })).toEqual(at(3_600_000));
    expect(pushSuspendedUntilAfterFraud({ now, currentSuspendedUntil: at(60_000) })).toEqual(at(defaultPushFraudSuspensionMs));
  });

  it('refuses a nonsensical suspension length', () => {
    expect(() => pushSuspendedUntilAfterFraud({ now, currentSuspendedUntil: null, suspensionMs: 0 })).toThrow(/suspension/u);
  });
});
