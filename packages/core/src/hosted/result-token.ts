// The hosted-verification result: an ES256 JWT, signed and checked by `jose` rather than by our own
// JOSE code. Still pure: the caller passes the clock (`iat` in the claims, `now` to verify) and the
// keys; the only randomness is key generation.
import { createLocalJWKSet, decodeProtectedHeader, errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { HoldfastError } from '../errors';

/** The claims of a hosted-verification result: who verified, for which application, with what. */
export interface ResultClaims {
  /** Holdfast's public URL (the deployment that issued it), so results of two deployments never mix. */
  iss: string;
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

/** The private half, stored encrypted (AAD = kid). Keys exported by node:crypto before jose import the same. */
export type PrivateSigningJwk = JWK;

const algorithm = 'ES256';

/** A fresh ES256 key pair: the public half as a JWK to publish, the private one as a JWK to encrypt. */
export async function generateSigningKey(kid: string): Promise<{ publicJwk: PublicSigningJwk; privateJwk: PrivateSigningJwk }> {
  // Extractable: the private key leaves this process only as an encrypted JWK in `signing_keys`.
  const { publicKey, privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const [pub, privateJwk] = await Promise.all([exportJWK(publicKey), exportJWK(privateKey)]);
  if (typeof pub.x !== 'string' || typeof pub.y !== 'string') throw new HoldfastError('INTERNAL', 'EC key export without coordinates');
  return { publicJwk: { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y, kid, alg: algorithm, use: 'sig' }, privateJwk };
}

/** A compact JWS (JWT) signed with ES256. `iat` and `exp` come from the claims, i.e. the caller's clock. */
export async function signResultToken(options: { kid: string; privateJwk: PrivateSigningJwk; claims: ResultClaims }): Promise<string> {
  const { iss, aud, sub, iat, exp, jti, txn, amr, state } = options.claims;
  const key = await importJWK(options.privateJwk, algorithm);
  return (
    new SignJWT({ txn, amr, state })
      .setProtectedHeader({ alg: algorithm, kid: options.kid, typ: 'JWT' })
      .setIssuer(iss)
      .setAudience(aud)
      .setSubject(sub)
      // Explicit: without a value jose would read the wall clock, and core takes time from its caller.
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key)
  );
}

function invalid(reason: string): HoldfastError {
  return new HoldfastError('RESULT_INVALID', `the result token is not valid: ${reason}`);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** jose checked the registered claims; the private ones are ours to check. */
function toClaims(payload: Record<string, unknown>, issuer: string): ResultClaims {
  const { iss, aud, sub, iat, exp, jti, txn, amr, state } = payload;
  if (
    typeof iss !== 'string' ||
    iss !== issuer ||
    typeof aud !== 'string' ||
    typeof sub !== 'string' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string' ||
    typeof txn !== 'string' ||
    !isStringArray(amr) ||
    !(state === null || typeof state === 'string')
  ) {
    throw invalid('malformed claims');
  }
  return { iss, aud, sub, iat, exp, jti, txn, amr, state };
}

/** jose's errors, named the way redemption's audit rows and the tests have always named them. */
function describeJoseError(error: unknown): HoldfastError {
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('bad signature');
  if (error instanceof errors.JWTExpired) return invalid('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return invalid('issued for another application');
    return invalid(error.reason === 'missing' ? 'malformed claims' : `unexpected ${error.claim}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('unexpected algorithm');
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('unknown key');
  return invalid('malformed');
}

/** The key id a token says it was signed with, before anything is trusted (to look the key up). */
export function readResultTokenKid(token: string): string {
  if (token.split('.').length !== 3) throw invalid('malformed');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw invalid('malformed');
  }
  // Only ES256: a token may not choose a weaker algorithm (or "none"). jwtVerify pins it again.
  if (header.alg !== algorithm) throw invalid('unexpected algorithm');
  if (typeof header.kid !== 'string') throw invalid('no key id');
  return header.kid;
}

/**
 * Verifies a result token: signature against the given public key (matched by kid), then issuer
 * (the deployment's public URL), audience and expiry against the caller's `now`. Every check throws `RESULT_INVALID` naming what
 * failed; single use (the `jti`) is the caller's (database) job.
 */
export async function verifyResultToken(options: {
  token: string;
  publicJwk: PublicSigningJwk;
  issuer: string;
  audience: string;
  now: Date;
}): Promise<ResultClaims> {
  // Header first: a malformed token, another algorithm or a missing kid never reaches the crypto.
  readResultTokenKid(options.token);
  // A key set of one: jose picks the key by kid (and alg, curve, use), so a token naming another kid
  // is refused as an unknown key rather than checked against this one.
  const keys = createLocalJWKSet({ keys: [options.publicJwk] });
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(options.token, keys, {
      algorithms: [algorithm],
      typ: 'JWT',
      issuer: options.issuer,
      audience: options.audience,
      currentDate: options.now,
      requiredClaims: ['sub', 'iat', 'exp', 'jti'],
    }));
  } catch (error) {
    if (error instanceof errors.JOSEError) throw describeJoseError(error);
    throw error;
  }
  return toClaims(payload, options.issuer);
}
