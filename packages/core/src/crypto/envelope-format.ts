import { HoldfastError } from '../errors';
import { ivBytes, tagBytes } from './aes-gcm';
import { keyBytes, keyIdPattern } from './keyring';

/** Bumped if the layout or algorithms ever change, so old envelopes stay readable. */
const envelopeVersion = 'hf1';
const base64UrlPattern = /^[A-Za-z0-9_-]+$/;

/**
 * `hf1.<kid>.<wrapIv>.<wrappedDek||tag>.<iv>.<ciphertext||tag>`, binary parts base64url.
 */
export interface Envelope {
  keyId: string;
  wrapIv: Uint8Array;
  wrappedKey: Uint8Array;
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

export function serializeEnvelope(envelope: Envelope): string {
  return [
    envelopeVersion,
    envelope.keyId,
    toBase64Url(envelope.wrapIv),
    toBase64Url(envelope.wrappedKey),
    toBase64Url(envelope.iv),
    toBase64Url(envelope.ciphertext),
  ].join('.');
}

export function parseEnvelope(envelope: string): Envelope {
  const parts = envelope.split('.');
  if (parts.length !== 6) {
    throw malformed();
  }
  const [version, keyId, wrapIv, wrappedKey, iv, ciphertext] = parts;
  if (version !== envelopeVersion || keyId === undefined || !keyIdPattern.test(keyId)) {
    throw malformed();
  }
  const parsed = {
    keyId,
    wrapIv: fromBase64Url(wrapIv),
    wrappedKey: fromBase64Url(wrappedKey),
    iv: fromBase64Url(iv),
    ciphertext: fromBase64Url(ciphertext),
  };
  if (
    parsed.wrapIv.length !== ivBytes ||
    parsed.wrappedKey.length !== keyBytes + tagBytes ||
    parsed.iv.length !== ivBytes ||
    parsed.ciphertext.length < tagBytes
  ) {
    throw malformed();
  }
  return parsed;
}

/** Which key encrypts this envelope's data key; lets rotation find what still needs rewrapping. */
export function envelopeKeyId(envelope: string): string {
  return parseEnvelope(envelope).keyId;
}

/** GCM additional data for the wrapped data key: binds it to the key id written beside it. */
export function wrapAad(keyId: string): Uint8Array {
  return new TextEncoder().encode(`${envelopeVersion}.${keyId}`);
}

function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Strict: Node's decoder ignores stray characters and unused trailing bits, so two different
 * strings could decode alike; requiring the canonical encoding makes every edit detectable.
 */
function fromBase64Url(text: string | undefined): Uint8Array {
  if (text === undefined || !base64UrlPattern.test(text)) {
    throw malformed();
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) {
    throw malformed();
  }
  return new Uint8Array(bytes);
}

function malformed(): HoldfastError {
  return new HoldfastError('INTERNAL', 'Encrypted secret is malformed');
}
