import { describe, expect, it } from 'vitest';
import { describeError, describeWebauthnError, linkProblemFor, linkProblemText } from './messages';

describe('messages', () => {
  it('maps each link refusal to its own page', () => {
    expect(linkProblemFor('ENROLLMENT_LINK_EXPIRED')).toBe('expired');
    expect(linkProblemFor('ENROLLMENT_LINK_USED')).toBe('used');
    expect(linkProblemFor('ENROLLMENT_LINK_INVALID')).toBe('invalid');
    expect(linkProblemFor('GATEWAY_UNAVAILABLE')).toBe('unavailable');
    expect(linkProblemText.expired.title).toMatch(/expired/);
  });

  it('explains a wrong code in words, and never echoes an unknown code', () => {
    expect(describeError('INVALID_CODE')).toMatch(/didn't match/);
    expect(describeError('SOMETHING_NEW')).not.toContain('SOMETHING_NEW');
  });

  it('explains WebAuthn failures in words: cancelled or timed out, already registered, not allowed', () => {
    expect(describeWebauthnError('NotAllowedError')).toMatch(/cancelled or timed out/);
    expect(describeWebauthnError('InvalidStateError')).toMatch(/already registered/);
    expect(describeWebauthnError('SecurityError')).toMatch(/not allowed/);
    expect(describeWebauthnError('SomethingElse')).not.toContain('SomethingElse');
    expect(describeError('WEBAUTHN_CHALLENGE_INVALID')).toMatch(/again/);
  });
});
