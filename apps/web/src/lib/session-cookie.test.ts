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
    const last = sealed.at(-1) === 'A' ? 'B' : 'A';
    expect(openSessionCookie({ value: `${sealed.slice(0, -1)}${last}`, secret })).toBeNull();
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
