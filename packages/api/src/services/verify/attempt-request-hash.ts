import type { Keyring } from '@holdfast/core';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { VerifiedFactorKind } from './verification-result';

/**
 * The key that binds an attempt id to its whole request. Derived with HKDF-SHA256 from a keyring
 * key under a fixed label, so there is no extra secret to provision, back up or leak: it lives and
 * rotates with the keyring. Each attempt row records WHICH keyring key its hash was keyed from
 * (`request_key_id`), and a retry is compared under that key, not the active one — so a retry that
 * spans a key rotation is still recognised as the same request, never called a reuse. If the
 * operator has already removed that key from the keyring, the hash can no longer be checked and the
 * id is treated as expired (ATTEMPT_ID_EXPIRED), never as a match.
 */
const hkdfInfo = 'holdfast/verification-attempt-request-hash/v1';

const derivedKeys = new WeakMap<Uint8Array, Buffer>();

function requestKey(material: Uint8Array): Buffer {
  const cached = derivedKeys.get(material);
  if (cached !== undefined) return cached;
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), hkdfInfo, 32));
  derivedKeys.set(material, key);
  return key;
}

export interface AttemptRequest {
  kind: VerifiedFactorKind;
  externalUserId: string;
  /** The factor the request resolved to (not the one asked for: `null` resolves to the active one). */
  factorId: string;
  /** What was presented (the normalized code; for WebAuthn the challenge, credential and authenticator data digest). Only its HMAC is stored. */
  credential: string;
}

function mac(key: Buffer, request: AttemptRequest): Buffer {
  // JSON of an array: unambiguous field boundaries whatever the fields contain.
  return createHmac('sha256', key)
    .update(JSON.stringify(['v1', request.kind, request.externalUserId, request.factorId, request.credential]))
    .digest();
}

/** The hash to store for a new attempt, keyed from the keyring's active key. */
export function hashAttemptRequest(keyring: Keyring, request: AttemptRequest): { keyId: string; hash: Buffer } {
  const material = keyring.keys.get(keyring.activeKeyId);
  if (material === undefined) throw new Error(`active key ${keyring.activeKeyId} is not in the keyring`);
  return { keyId: keyring.activeKeyId, hash: mac(requestKey(material), request) };
}

/**
 * Whether a recorded attempt's hash is this request's. `unknown` when the recorded key is gone from
 * the keyring (or the row predates the binding): the caller must not treat that as a match.
 */
export function compareAttemptRequest(
  keyring: Keyring,
  recorded: { keyId: string | null; hash: Buffer },
  request: AttemptRequest,
): 'same' | 'different' | 'unknown' {
  const material = recorded.keyId === null ? undefined : keyring.keys.get(recorded.keyId);
  if (material === undefined) return 'unknown';
  const expected = mac(requestKey(material), request);
  return expected.length === recorded.hash.length && timingSafeEqual(expected, recorded.hash) ? 'same' : 'different';
}
