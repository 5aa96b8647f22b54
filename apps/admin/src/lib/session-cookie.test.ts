import { describe, expect, it } from 'vitest';
import { adminCookieKeyFrom, adminCookieNameFor, adminCookieOptionsFor, openAdminCookie, sealAdminCookie, type AdminCookieContent } from './session-cookie';

const key = adminCookieKeyFrom('a'.repeat(40));
const otherKey = adminCookieKeyFrom('b'.repeat(40));
const inOneHour = new Date(Date.now() + 3_600_000).toISOString();

const session: AdminCookieContent = {
  stage: 'session',
  token: 'hfa_secret-token-value',
  expiresAt: inOneHour,
  admin: { id: 'a1', email: 'owner@example.com', name: 'Olga Owner', role: 'owner' },
  factorKinds: ['webauthn'],
};

describe('admin cookie', () => {
  it("is __Host- on https and plain only on http localhost, and never the portal's name", () => {
    expect(adminCookieNameFor({ isHttps: true })).toBe('__Host-holdfast_admin');
    expect(adminCookieNameFor({ isHttps: false })).toBe('holdfast_admin');
    expect(adminCookieOptionsFor({ isHttps: true, expiresAt: new Date() })).toMatchObject({ httpOnly: true, sameSite: 'strict', secure: true, path: '/' });
  });

  it('seals the token: the value does not contain it, and opens to the same content', async () => {
    const value = await sealAdminCookie(session, key);
    expect(value).not.toContain('hfa_');
    expect(value).not.toContain('Olga');
    expect(await openAdminCookie(value, { key })).toEqual(session);
  });

  it('opens to null under another key, when tampered with, after its expiry, or when it is a bare token', async () => {
    const value = await sealAdminCookie(session, key);
    expect(await openAdminCookie(value, { key: otherKey })).toBeNull();
    // One character changed for sure: the third from last (all six of its bits are data). Choosing the
    // new one by the LAST character left it unchanged whenever it already was 'A' (1 run in 64).
    const tampered = `${value.slice(0, -3)}${value.at(-3) === 'A' ? 'B' : 'A'}${value.slice(-2)}`;
    expect(tampered).not.toBe(value);
    expect(await openAdminCookie(tampered, { key })).toBeNull();
    expect(await openAdminCookie(value, { key, now: new Date(Date.now() + 2 * 3_600_000) })).toBeNull();
    expect(await openAdminCookie('hfa_secret-token-value', { key })).toBeNull();
    expect(await openAdminCookie(undefined, { key })).toBeNull();
  });

  it('keeps a pending sign-in apart from a session', async () => {
    const pending: AdminCookieContent = { stage: 'pending', token: 'hfp_x', expiresAt: inOneHour, enrolledFactors: [], mustEnroll: true };
    expect(await openAdminCookie(await sealAdminCookie(pending, key), { key })).toEqual(pending);
  });
});
