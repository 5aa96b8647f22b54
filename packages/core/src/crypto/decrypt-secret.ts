import { openAesGcm } from './aes-gcm';
import type { Envelope } from './envelope-format';
import { parseEnvelope, wrapAad } from './envelope-format';
import type { Keyring } from './keyring';
import { resolveKey } from './resolve-key';

const encoder = new TextEncoder();

/**
 * Decrypts an envelope made by `encryptSecret` with the same `aad`. Throws HoldfastError INTERNAL
 * (message free of secrets) on an unknown key id, tampering, a wrong aad or a malformed envelope.
 */
export function decryptSecret({ keyring, envelope, aad }: { keyring: Keyring; envelope: string; aad: string }): string {
  const parsed = parseEnvelope(envelope);
  const dek = unwrapDataKey({ keyring, envelope: parsed });
  try {
    const plaintext = openAesGcm({ key: dek, iv: parsed.iv, sealed: parsed.ciphertext, aad: encoder.encode(aad) });
    return new TextDecoder().decode(plaintext);
  } finally {
    dek.fill(0);
  }
}

export function unwrapDataKey({ keyring, envelope }: { keyring: Keyring; envelope: Envelope }): Uint8Array {
  const kek = resolveKey({ keyring, keyId: envelope.keyId });
  return openAesGcm({ key: kek, iv: envelope.wrapIv, sealed: envelope.wrappedKey, aad: wrapAad(envelope.keyId) });
}
