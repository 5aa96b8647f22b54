import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey } from 'node:crypto';
import { HoldfastError } from '../errors';

/** The claims of a hosted-verification result: who verified, for which application, with what. */
export interface ResultClaims {
  iss: 'holdfast';
  /** The relying application's id. */
  aud: string;
  /** The application's own user id. */
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  /** The verification transaction. */
  txn: string;
  /** Authentication methods (RFC 8176): `otp`, `hwk`, … */
  amr: string[];
  /** The application's opaque value from the transaction, if any. */
  state: string | null;
}

/** A public signing key as published in the JWKS. */
export interface PublicSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** A fresh ES256 key pair: the public half as a JWK to publish, the private one as a JWK to encrypt. */
export function generateSigningKey(kid: string): { publicJwk: PublicSigningJwk; privateJwk: JsonWebKey } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pub = publicKey.export({ format: 'jwk' });
  if (typeof pub.x !== 'string' || typeof pub.y !== 'string') throw new HoldfastError('INTERNAL', 'EC key export without coordinates');
  return { publicJwk: { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y, kid, alg: 'ES256', use: 'sig' }, privateJwk: privateKey.export({ format: 'jwk' }) };
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** A compact JWS (JWT) signed with ES256; the signature in JOSE's r‖s form (IEEE P1363), not DER. */
export function signResultToken(options: { kid: string; privateJwk: JsonWebKey; claims: ResultClaims }): string {
  const signingInput = `${encodeJson({ alg: 'ES256', kid: options.kid, typ: 'JWT' })}.${encodeJson(options.claims)}`;
  const key = createPrivateKey({ key: options.privateJwk, format: 'jwk' });
  const signature = sign('sha256', Buffer.from(signingInput, 'ascii'), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

const base64url = /^[A-Za-z0-9_-]+$/;

function invalid(reason: string): HoldfastError {
  return new HoldfastError('RESULT_INVALID', `the result token is not valid: ${reason}`);
}

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw invalid('malformed');
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function toClaims(value: unknown): ResultClaims {
  if (typeof value !== 'object' || value === null) throw invalid('malformed claims');
  const c = value as Record<string, unknown>;
  const { iss, aud, sub, iat, exp, jti, txn, amr, state } = c;
  if (iss !== 'holdfast' || typeof aud !== 'string' || typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number'
    || typeof jti !== 'string' || typeof txn !== 'string' || !isStringArray(amr) || !(state === null || typeof state === 'string')) {
    throw invalid('malformed claims');
  }
  return { iss, aud, sub, iat, exp, jti, txn, amr, state };
}

/** The key id a token says it was signed with, before anything is trusted (to look the key up). */
export function readResultTokenKid(token: string): string {
  const parts = token.split('.');
  const [header] = parts;
  if (parts.length !== 3 || header === undefined || !parts.every((part) => base64url.test(part))) throw invalid('malformed');
  const decoded = decodeJson(header);
  if (typeof decoded !== 'object' || decoded === null) throw invalid('malformed header');
  const { alg, kid } = decoded as Record<string, unknown>;
  // Only ES256: a token may not choose a weaker algorithm (or "none").
  if (alg !== 'ES256') throw invalid('unexpected algorithm');
  if (typeof kid !== 'string') throw invalid('no key id');
  return kid;
}

/**
 * Verifies a result token: signature against the given public key, then audience and expiry.
 * Every check throws `RESULT_INVALID` naming what failed; single use is the caller's (database) job.
 */
export function verifyResultToken(options: { token: string; publicJwk: PublicSigningJwk; audience: string; now: Date }): ResultClaims {
  const kid = readResultTokenKid(options.token);
  if (kid !== options.publicJwk.kid) throw invalid('unknown key');
  const [header = '', payload = '', signature = ''] = options.token.split('.');
  const key = createPublicKey({ key: { ...options.publicJwk }, format: 'jwk' });
  const isSigned = verify('sha256', Buffer.from(`${header}.${payload}`, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!isSigned) throw invalid('bad signature');
  const claims = toClaims(decodeJson(payload));
  if (claims.aud !== options.audience) throw invalid('issued for another application');
  if (claims.exp * 1000 <= options.now.getTime()) throw invalid('expired');
  return claims;
}
