import { readRandomBytes } from '../random';
import type { RandomSource } from '../types';
import { ivBytes, sealAesGcm } from './aes-gcm';
import { serializeEnvelope, wrapAad } from './envelope-format';
import type { Keyring } from './keyring';
import { keyBytes } from './keyring';
import { resolveKey } from './resolve-key';

const encoder = new TextEncoder();

/**
 * Envelope encryption: a fresh data key (DEK) encrypts the secret, and the active key-encryption
 * key wraps the DEK, so rotating keys rewraps 48 bytes per row instead of touching the secret.
 *
 * @param aad binds the ciphertext to its owner (e.g. the factor id): a ciphertext copied onto
 *   another row will not decrypt there.
 */
export function encryptSecret({ keyring, plaintext, aad, random }: { keyring: Keyring; plaintext: string; aad: string; random: RandomSource }): string {
  const keyId = keyring.activeKeyId;
  const kek = resolveKey({ keyring, keyId });
  const dek = readRandomBytes({ random, size: keyBytes });
  const wrapIv = readRandomBytes({ random, size: ivBytes });
  const iv = readRandomBytes({ random, size: ivBytes });
  try {
    const wrappedKey = sealAesGcm({ key: kek, iv: wrapIv, plaintext: dek, aad: wrapAad(keyId) });
    const ciphertext = sealAesGcm({ key: dek, iv, plaintext: encoder.encode(plaintext), aad: encoder.encode(aad) });
    return serializeEnvelope({ keyId, wrapIv, wrappedKey, iv, ciphertext });
  } finally {
    dek.fill(0);
  }
}
