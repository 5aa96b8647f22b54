import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKey, signResultToken, verifyResultToken, type ResultClaims } from './result-token';

const now = new Date('2026-11-28T12:00:00Z');
const iss = 'https://mfa.example.com';
const iat = Math.floor(now.getTime() / 1000);
const claims: ResultClaims = { iss, aud: 'app-1', sub: 'alice', iat, exp: iat + 120, jti: 'j1', txn: 't1', amr: ['otp'], state: 'xyz' };

describe('hosted result token', async () => {
  const { publicJwk, privateJwk } = await generateSigningKey('k1');
  const token = await signResultToken({ kid: 'k1', privateJwk, claims });

  it('verifies with the published key and yields the claims', async () => {
    expect(await verifyResultToken({ token, publicJwk, issuer: iss, audience: 'app-1', now })).toEqual(claims);
  });

  it('refuses a tampered payload, another audience, an expired token, another key and alg none', async () => {
    const [h = '', p = '', s = ''] = token.split('.');
    const flipped = `${h}.${p.slice(0, 10)}${p[10] === 'A' ? 'B' : 'A'}${p.slice(11)}.${s}`;
    await expect(verifyResultToken({ token: flipped, publicJwk, issuer: iss, audience: 'app-1', now })).rejects.toThrow(/RESULT_INVALID|not valid/);
    await expect(verifyResultToken({ token, publicJwk, issuer: iss, audience: 'app-2', now })).rejects.toThrow(/another application/);
    await expect(verifyResultToken({ token, publicJwk, issuer: iss, audience: 'app-1', now: new Date(now.getTime() + 121_000) })).rejects.toThrow(/expired/);
    const other = await generateSigningKey('k1');
    await expect(verifyResultToken({ token, publicJwk: other.publicJwk, issuer: iss, audience: 'app-1', now })).rejects.toThrow(/bad signature/);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${p}.${s}`;
    await expect(verifyResultToken({ token: none, publicJwk, issuer: iss, audience: 'app-1', now })).rejects.toThrow(/algorithm/);
  });

  it('refuses a token naming another kid, another issuer, no kid, or an HMAC algorithm keyed with the public key', async () => {
    const otherKid = await signResultToken({ kid: 'k2', privateJwk, claims });
    await expect(verifyResultToken({ token: otherKid, publicJwk, issuer: iss, audience: 'app-1', now })).rejects.toThrow(/unknown key/);
    const foreign = await signResultToken({ kid: 'k1', privateJwk, claims: { ...claims, iss: 'https://evil.example.com' } });
    await expect(verifyResultToken({ token: foreign, publicJwk, issuer: iss, audience: 'app-1', now })).rejects.toThrow(/unexpected iss/);
    const [, p = '', s = ''] = token.split('.');
    const header = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    await expect(
      verifyResultToken({ token: `${header({ alg: 'ES256', typ: 'JWT' })}.${p}.${s}`, publicJwk, issuer: iss, audience: 'app-1', now }),
    ).rejects.toThrow(/no key id/);
    const hmacInput = `${header({ alg: 'HS256', kid: 'k1', typ: 'JWT' })}.${p}`;
    const hmac = createHmac('sha256', JSON.stringify(publicJwk)).update(hmacInput).digest('base64url');
    await expect(verifyResultToken({ token: `${hmacInput}.${hmac}`, publicJwk, issuer: iss, audience: 'app-1', now })).rejects.toThrow(/algorithm/);
    await expect(verifyResultToken({ token: 'not-a-token', publicJwk, issuer: iss, audience: 'app-1', now })).rejects.toThrow(/malformed/);
  });
});
