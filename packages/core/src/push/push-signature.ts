import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

import { HoldfastError } from '../errors';
import type { PushDecision } from './push-transaction';

/**
 * What a paired device signs, and how the gateway checks it. The device key is a non-extractable
 * WebCrypto ECDSA P-256 key kept in the PWA's IndexedDB; `crypto.subtle.sign({ name: 'ECDSA',
 * hash: 'SHA-256' }, key, data)` yields IEEE P1363 `r || s` (64 bytes), not DER.
 *
 * The bytes signed are a JSON array of strings and integers whose first element names the format
 * and its purpose. JSON arrays leave no ambiguity about where one field ends (no "a|b" + "c" ==
 * "a" + "b|c"), the version tag separates purposes (an answer signature can never pass as a
 * pending-list request, or as a later format), and the audience binds the signature to one
 * deployment and application. The transaction id binds it to one transaction; single use is the
 * store's compare-and-set, not the signature: ECDSA signatures are malleable ((r, s) and (r, n − s)
 * both verify) and browsers do not normalise s, so a signature's hash is never a replay key.
 *
 * The verifier rebuilds the payload from what IT holds (the stored transaction's id and
 * application, its own origin) plus the device's answer — never from an id or audience the device
 * names — so a signature captured for one transaction or application proves nothing for another.
 */

export const pushAnswerFormat = 'holdfast-push-v1';
export const pushListRequestFormat = 'holdfast-push-list-v1';
export const pushSubscriptionFormat = 'holdfast-push-subscription-v1';

/** An upper bound on every text field signed: the payload stays far below any size that matters. */
const maxFieldLength = 512;

/** Push services' endpoints run long (FCM's are ~200 characters); the validators cap them at 1024. */
const maxEndpointLength = 1024;

/**
 * The audience string for a deployment's application: the push origin (normalised by URL parsing,
 * so `https://Push.Example.com:443/` and `https://push.example.com` are the same audience) and the
 * application id, escaped so no id can forge a path segment of another audience.
 */
export function pushSignatureAudience({ origin, applicationId }: { origin: string; applicationId: string }): string {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch (error) {
    throw new HoldfastError('BAD_REQUEST', 'The push audience needs an absolute origin', { cause: error });
  }
  if (parsed.origin === 'null' || applicationId.length === 0) {
    throw new HoldfastError('BAD_REQUEST', 'The push audience needs an http(s) origin and an application id');
  }
  return `${parsed.origin}/applications/${encodeURIComponent(applicationId)}`;
}

export interface PushAnswerPayload {
  transactionId: string;
  /** Exactly as the device sent it: the number match normalises, the signature does not. */
  typedNumber: string;
  decision: PushDecision;
  /** Signed as integer milliseconds since the epoch: one spelling per instant (an ISO string has several). */
  deviceTime: Date;
  audience: string;
}

/**
 * The canonical bytes of an answer: UTF-8 of
 * `["holdfast-push-v1", transactionId, typedNumber, decision, deviceTimeMs, audience]`.
 * Throws BAD_REQUEST on fields no honest device sends (the caller answers with a generic refusal).
 */
export function pushAnswerSignedBytes(payload: PushAnswerPayload): Uint8Array {
  const deviceTimeMs = timeMs(payload.deviceTime);
  return encode([
    pushAnswerFormat,
    boundedText(payload.transactionId, 'transactionId'),
    boundedText(payload.typedNumber, 'typedNumber', { mayBeEmpty: true }),
    boundedText(payload.decision, 'decision'),
    deviceTimeMs,
    boundedText(payload.audience, 'audience'),
  ]);
}

/**
 * The canonical bytes of "list my pending transactions" (the polling fallback when push delivery
 * is down): `["holdfast-push-list-v1", deviceId, deviceTimeMs, audience]`. Its freshness is the
 * device time (checked against the same skew as answers); it reveals, never changes, anything.
 */
export function pushListRequestSignedBytes({ deviceId, deviceTime, audience }: { deviceId: string; deviceTime: Date; audience: string }): Uint8Array {
  return encode([pushListRequestFormat, boundedText(deviceId, 'deviceId'), timeMs(deviceTime), boundedText(audience, 'audience')]);
}

/**
 * The canonical bytes of "send my pushes here from now on" (a subscription that churned, re-sent on
 * every app open): `["holdfast-push-subscription-v1", deviceId, endpoint, p256dh, auth, deviceTimeMs, audience]`.
 * The subscription is signed field by field, exactly as sent: a captured update cannot be replayed
 * with another endpoint (a redirect of the device's pushes) or kept past the clock skew.
 */
export function pushSubscriptionSignedBytes({
  deviceId,
  subscription,
  deviceTime,
  audience,
}: {
  deviceId: string;
  subscription: { endpoint: string; p256dh: string; auth: string };
  deviceTime: Date;
  audience: string;
}): Uint8Array {
  return encode([
    pushSubscriptionFormat,
    boundedText(deviceId, 'deviceId'),
    boundedText(subscription.endpoint, 'endpoint', { maxLength: maxEndpointLength }),
    boundedText(subscription.p256dh, 'p256dh'),
    boundedText(subscription.auth, 'auth'),
    timeMs(deviceTime),
    boundedText(audience, 'audience'),
  ]);
}

function encode(fields: readonly (string | number)[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(fields));
}

function boundedText(
  value: unknown,
  name: string,
  { mayBeEmpty = false, maxLength = maxFieldLength }: { mayBeEmpty?: boolean; maxLength?: number } = {},
): string {
  if (typeof value !== 'string' || value.length > maxLength || (!mayBeEmpty && value.length === 0)) {
    throw new HoldfastError('BAD_REQUEST', `Signed push field ${name} must be a string of at most ${maxLength} characters`);
  }
  // Lone surrogates would be replaced by U+FFFD when encoded: two different strings, one byte string.
  if (new TextDecoder().decode(new TextEncoder().encode(value)) !== value) {
    throw new HoldfastError('BAD_REQUEST', `Signed push field ${name} is not well-formed text`);
  }
  return value;
}

function timeMs(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new HoldfastError('BAD_REQUEST', 'Signed push time must be a valid date');
  }
  return ms;
}

/** A device's public key as stored: only what verification needs. */
export interface DevicePublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export type DevicePublicJwkParse = { isValid: true; jwk: DevicePublicJwk } | { isValid: false; problem: string };

/** Members WebCrypto's `exportKey('jwk', publicKey)` writes, plus the harmless `kid`/`alg`/`use`. */
const allowedJwkMembers = new Set(['kty', 'crv', 'x', 'y', 'ext', 'key_ops', 'kid', 'alg', 'use']);
/** 32 bytes of base64url, unpadded: 43 characters, the last of which carries 2 zero bits. */
const coordinatePattern = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/u;

/**
 * Strict check of a device's public JWK, at pairing and again before every verification: EC,
 * P-256, 32-byte coordinates in canonical base64url, and NO private member — a JWK carrying `d`
 * means the private key left the device (or the PWA exported the wrong key), and it is refused
 * rather than trimmed. Unknown members are refused too: a key is stored as we understood it or not at all.
 */
export function parseDevicePublicJwk(value: unknown): DevicePublicJwkParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { isValid: false, problem: 'not a JSON object' };
  const jwk = value as Record<string, unknown>;
  if ('d' in jwk) return { isValid: false, problem: 'a private key (d) was sent' };
  const unknownMember = Object.keys(jwk).find((member) => !allowedJwkMembers.has(member));
  if (unknownMember !== undefined) return { isValid: false, problem: `unexpected member ${JSON.stringify(unknownMember.slice(0, 32))}` };
  if (jwk.kty !== 'EC') return { isValid: false, problem: 'kty must be EC' };
  if (jwk.crv !== 'P-256') return { isValid: false, problem: 'crv must be P-256' };
  const { x, y } = jwk;
  if (typeof x !== 'string' || typeof y !== 'string' || !coordinatePattern.test(x) || !coordinatePattern.test(y)) {
    return { isValid: false, problem: 'x and y must be 32 bytes of unpadded base64url' };
  }
  if (jwk.alg !== undefined && jwk.alg !== 'ES256') return { isValid: false, problem: 'alg must be ES256' };
  if (jwk.use !== undefined && jwk.use !== 'sig') return { isValid: false, problem: 'use must be sig' };
  if (jwk.ext !== undefined && typeof jwk.ext !== 'boolean') return { isValid: false, problem: 'ext must be a boolean' };
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') return { isValid: false, problem: 'kid must be a string' };
  const ops = jwk.key_ops;
  if (ops !== undefined && !(Array.isArray(ops) && ops.length === 1 && ops[0] === 'verify')) {
    return { isValid: false, problem: 'key_ops must be ["verify"]' };
  }
  return { isValid: true, jwk: { kty: 'EC', crv: 'P-256', x, y } };
}

export type DeviceSignatureCheck =
  { isValid: true } | { isValid: false; reason: 'key_invalid' | 'signature_malformed' | 'signature_mismatch'; problem: string };

/** P1363 `r || s` for P-256: two 32-byte integers. A DER signature (70–72 bytes, 0x30 …) is refused by length. */
const p256SignatureBytes = 64;

/**
 * Verifies a browser-made device signature over `payload` (the canonical bytes above). Never
 * throws: a stored key that no longer parses, a malformed signature and a wrong one are all just
 * "not valid", with a reason for the audit trail.
 */
export function verifyDeviceSignature({
  publicKeyJwk,
  signature,
  payload,
}: {
  publicKeyJwk: unknown;
  signature: Uint8Array;
  payload: Uint8Array;
}): DeviceSignatureCheck {
  const parsed = parseDevicePublicJwk(publicKeyJwk);
  if (!parsed.isValid) return { isValid: false, reason: 'key_invalid', problem: parsed.problem };
  let key: KeyObject;
  try {
    // Node rejects a point that is not on the curve here (an invalid-curve key never verifies anything).
    key = createPublicKey({ key: { ...parsed.jwk }, format: 'jwk' });
  } catch {
    return { isValid: false, reason: 'key_invalid', problem: 'not a point on P-256' };
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    return { isValid: false, reason: 'key_invalid', problem: 'not a P-256 key' };
  }
  if (!(signature instanceof Uint8Array) || signature.length !== p256SignatureBytes) {
    return { isValid: false, reason: 'signature_malformed', problem: `expected a ${p256SignatureBytes}-byte IEEE P1363 signature (r || s)` };
  }
  let isValid: boolean;
  try {
    isValid = verify('sha256', payload, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    isValid = false;
  }
  return isValid ? { isValid: true } : { isValid: false, reason: 'signature_mismatch', problem: 'the signature does not match this key and payload' };
}

/**
 * A device key pair made with node:crypto, for what stands in for a phone (tests, drills): the
 * ECDSA P-256 pair the PWA makes with WebCrypto, and the public JWK it registers at pairing
 * (only kty, crv, x, y: what parseDevicePublicJwk keeps).
 */
export function createDeviceKeyPair(): { privateKey: KeyObject; publicJwk: DevicePublicJwk } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const parsed = parseDevicePublicJwk(publicKey.export({ format: 'jwk' }));
  // Cannot happen for a key node just made on P-256; a throw rather than a key nobody could verify.
  if (!parsed.isValid) throw new Error(`node:crypto made a device key that does not parse: ${parsed.problem}`);
  return { privateKey, publicJwk: parsed.jwk };
}

/**
 * Signs `payload` (canonical bytes from the builders above) as the PWA's `crypto.subtle.sign({
 * name: 'ECDSA', hash: 'SHA-256' }, key, payload)` does: ECDSA P-256 over SHA-256, IEEE P1363
 * `r || s` (64 bytes) — what verifyDeviceSignature accepts. For what stands in for a phone.
 */
export function signDevicePayload({ privateKey, payload }: { privateKey: KeyObject; payload: Uint8Array }): Uint8Array {
  return new Uint8Array(sign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
}
