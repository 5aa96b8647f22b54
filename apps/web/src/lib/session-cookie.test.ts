import { describe, expect, it } from 'vitest';
import { openSessionCookie, sealSessionToken } from './session-cookie';

const secret = 'a-web-session-secret-of-at-least-32-chars';
const token = 'hfs_example_session_token';

describe('session cookie', () => {
  it('round-trips a sealed token and never stores it in the clear', async () => {
    const sealed = await sealSessionToken({ token, secret });
    expect(sealed).not.toContain(token);
    expect(await openSessionCookie({ value: sealed, secret })).toBe(token);
  });

  it('rejects a tampered cookie', async () => {
    const sealed = await sealSessionToken({ token, secret });
    const prefix = 'v2.';
    // The JWE's parts: protected header, (empty) encrypted key, IV, ciphertext, tag. Flip one bit of
    // each non-empty part in its decoded bytes: editing the last base64url character is not enough,
    // it may only carry padding bits.
    const parts = sealed.slice(prefix.length).split('.');
    expect(parts).toHaveLength(5);
    for (const [part, encoded] of parts.entries()) {
      if (encoded === '') continue;
      const raw = Buffer.from(encoded, 'base64url');
      for (const index of [0, raw.length - 1]) {
        const tampered = Buffer.from(raw);
        tampered[index] = (tampered[index] ?? 0) ^ 1;
        const value = `${prefix}${parts.map((p, i) => (i === part ? tampered.toString('base64url') : p)).join('.')}`;
        expect(await openSessionCookie({ value, secret })).toBeNull();
      }
    }
  });

  it('rejects a cookie sealed under another key, or a plain token when a key is set', async () => {
    expect(await openSessionCookie({ value: await sealSessionToken({ token, secret: `${secret}-old` }), secret })).toBeNull();
    expect(await openSessionCookie({ value: token, secret })).toBeNull();
  });

  it('rejects a sealed cookie past the expiry sealed into it', async () => {
    const expiresAt = new Date('2026-11-28T12:15:00Z');
    const sealed = await sealSessionToken({ token, secret, expiresAt });
    expect(await openSessionCookie({ value: sealed, secret, now: new Date('2026-11-28T12:14:59Z') })).toBe(token);
    expect(await openSessionCookie({ value: sealed, secret, now: expiresAt })).toBeNull();
  });

  it('stores the token as is without a key, and refuses a sealed value then', async () => {
    expect(await sealSessionToken({ token, secret: undefined })).toBe(token);
    expect(await openSessionCookie({ value: token, secret: undefined })).toBe(token);
    expect(await openSessionCookie({ value: undefined, secret: undefined })).toBeNull();
    expect(await openSessionCookie({ value: await sealSessionToken({ token, secret }), secret: undefined })).toBeNull();
  });
});

describe('session cookie name and attributes', () => {
  it('is a Secure __Host- cookie whenever the portal is https, a plain one only on http://localhost', async () => {
    const { sessionCookieNameFor, sessionCookieOptionsFor } = await import('./session-cookie');
    const expiresAt = new Date('2026-11-28T12:15:00Z');
    expect(sessionCookieNameFor({ isHttps: true })).toBe('__Host-holdfast_enroll');
    expect(sessionCookieOptionsFor({ isHttps: true, expiresAt })).toEqual({ httpOnly: true, sameSite: 'strict', secure: true, path: '/', expires: expiresAt });
    expect(sessionCookieNameFor({ isHttps: false })).toBe('holdfast_enroll');
    expect(sessionCookieOptionsFor({ isHttps: false, expiresAt }).secure).toBe(false);
  });
});
