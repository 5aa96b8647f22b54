import { describe, expect, it } from 'vitest';
import { isSignCountSuspicious } from './sign-count';

describe('[WEBAUTHN_CLONE] signature counter (WebAuthn §7.2 step 21)', () => {
  it('accepts a counter that increases', () => {
    expect(isSignCountSuspicious({ stored: 0, received: 1 })).toBe(false);
    expect(isSignCountSuspicious({ stored: 41, received: 42 })).toBe(false);
  });

  it('flags a counter that repeats or goes back (cloned credential or replayed assertion)', () => {
    expect(isSignCountSuspicious({ stored: 42, received: 42 })).toBe(true);
    expect(isSignCountSuspicious({ stored: 42, received: 7 })).toBe(true);
    expect(isSignCountSuspicious({ stored: 42, received: 0 })).toBe(true);
  });

  it('does not flag authenticators that keep no counter (always 0)', () => {
    expect(isSignCountSuspicious({ stored: 0, received: 0 })).toBe(false);
  });
});
