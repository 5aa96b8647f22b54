import { describe, expect, it } from 'vitest';
import { generateSigningKey, signResultToken, verifyResultToken, type ResultClaims } from './result-token';

const now = new Date('2026-11-28T12:00:00Z');
const iat = Math.floor(now.getTime() / 1000);
const claims: ResultClaims = { iss: 'holdfast', aud: 'app-1', sub: 'alice', iat, exp: iat + 120, jti: 'j1', txn: 't1', amr: ['otp'], state: 'xyz' };

describe('hosted result token', () => {
  const { publicJwk, privateJwk } = generateSigningKey('k1');
  const token = signResultToken({ kid: 'k1', privateJwk, claims });

  it('verifies with the published key and yields the claims', () => {
    expect(verifyResultToken({ token, publicJwk, audience: 'app-1', now })).toEqual(claims);
  });

  it('refuses a tampered payload, another audience, an expired token, another key and alg none', () => {
    const [h = '', p = '', s = ''] = token.split('.');
    const flipped = `${h}.${p.slice(0, 10)}${p[10] === 'A' ? 'B' : 'A'}${p.slice(11)}.${s}`;
    expect(() => verifyResultToken({ token: flipped, publicJwk, audience: 'app-1', now })).toThrow(/RESULT_INVALID|not valid/);
    expect(() => verifyResultToken({ token, publicJwk, audience: 'app-2', now })).toThrow(/another application/);
    expect(() => verifyResultToken({ token, publicJwk, audience: 'app-1', now: new Date(now.getTime() + 121_000) })).toThrow(/expired/);
    const other = generateSigningKey('k1');
    expect(() => verifyResultToken({ token, publicJwk: other.publicJwk, audience: 'app-1', now })).toThrow(/bad signature/);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${p}.${s}`;
    expect(() => verifyResultToken({ token: none, publicJwk, audience: 'app-1', now })).toThrow(/algorithm/);
  });
});
