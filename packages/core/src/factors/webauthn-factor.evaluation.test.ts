import { describe, expect, it } from 'vitest';

import { evaluateWebauthnAssertion, webauthnFactor } from './webauthn-factor';

describe('WebAuthn factor evaluation (after the assertion check)', () => {
  it('refuses an assertion that did not verify, whatever its counter says', () => {
    expect(evaluateWebauthnAssertion({ isAssertionVerified: false, storedSignCount: 1, receivedSignCount: 2 })).toEqual({
      isMatch: false,
      reason: 'verification_failed',
    });
    expect(evaluateWebauthnAssertion({ isAssertionVerified: false, storedSignCount: 5, receivedSignCount: 5 })).toEqual({
      isMatch: false,
      reason: 'verification_failed',
    });
  });

  it('matches a verified assertion whose counter moved forward, with the new counter', () => {
    expect(evaluateWebauthnAssertion({ isAssertionVerified: true, storedSignCount: 4, receivedSignCount: 5 })).toEqual({ isMatch: true, signCount: 5 });
    expect(evaluateWebauthnAssertion({ isAssertionVerified: true, storedSignCount: 0, receivedSignCount: 1 })).toEqual({ isMatch: true, signCount: 1 });
  });

  it('matches authenticators that keep no counter (0 every time)', () => {
    expect(evaluateWebauthnAssertion({ isAssertionVerified: true, storedSignCount: 0, receivedSignCount: 0 })).toEqual({ isMatch: true, signCount: 0 });
  });

  it('suspects a clone when the counter stands still or goes back (§7.2 step 21)', () => {
    expect(evaluateWebauthnAssertion({ isAssertionVerified: true, storedSignCount: 5, receivedSignCount: 5 })).toEqual({
      isMatch: false,
      reason: 'clone_suspected',
    });
    expect(evaluateWebauthnAssertion({ isAssertionVerified: true, storedSignCount: 5, receivedSignCount: 3 })).toEqual({
      isMatch: false,
      reason: 'clone_suspected',
    });
    expect(evaluateWebauthnAssertion({ isAssertionVerified: true, storedSignCount: 5, receivedSignCount: 0 })).toEqual({
      isMatch: false,
      reason: 'clone_suspected',
    });
  });

  it('is the registry entry’s evaluation', () => {
    expect(webauthnFactor.evaluate).toBe(evaluateWebauthnAssertion);
  });
});
