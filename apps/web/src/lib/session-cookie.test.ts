import { describe, expect, it } from 'vitest';
import { openSessionCookie, sealSessionToken } from './session-cookie';

const secret = 'a-web-session-secret-of-at-least-32-chars';
const token = 'hfs_example_session_token';

describe('session cookie', () => {
  it('round-trips a sealed token and never stores it in the clear', () => {
    const sealed = sealSessionToken({ token, secret });
    expect(sealed).not.toContain(token);
    expect(openSessionCookie({ value: sealed, secret })).toBe(token);
  });

  it('rejects a tampered cookie', () => {
    const sealed = sealSessionToken({ token, secret });
    // Flip one bit of each part (IV, tag, ciphertext) in the decoded bytes: editing the last base64url
    // character is not enough, it may only carry padding bits.
    const raw = Buffer.from(sealed.slice('v1.'.length), 'base64url');
    for (const index of [0, 20, raw.length - 1]) {
      const tampered = Buffer.from(raw);
      tampered[index] = (tampered[index] ?? 0) ^ 1;
      expect(openSessionCookie({ value: `v1.${tampered.toString('base64url')}`, secret })).toBeNull();
    }
  });

  it('rejects a cookie sealed under another key, or a plain token when a key is set', () => {
    expect(openSessionCookie({ value: sealSessionToken({ token, secret: `${secret}-old` }), secret })).toBeNull();
    expect(openSessionCookie({ value: token, secret })).toBeNull();
  });

  it('stores the token as is without a key', () => {
    expect(sealSessionToken({ token, secret: undefined })).toBe(token);
    expect(openSessionCookie({ value: token, secret: undefined })).toBe(token);
    expect(openSessionCookie({ value: undefined, secret: undefined })).toBeNull();
  });
});
