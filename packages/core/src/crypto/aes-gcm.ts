import { createCipheriv, createDecipheriv } from 'node:crypto';

import { HoldfastError } from '../errors';

export const ivBytes = 12;
export const tagBytes = 16;

/** AES-256-GCM; returns ciphertext with the 16-byte tag appended. */
export function sealAesGcm({ key, iv, plaintext, aad }: { key: Uint8Array; iv: Uint8Array; plaintext: Uint8Array; aad: Uint8Array }): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/**
 * Inverse of `sealAesGcm`. Any failure (tampering, wrong key, wrong aad) becomes one opaque
 * INTERNAL error: telling them apart would help an attacker probing stored ciphertexts.
 */
export function openAesGcm({ key, iv, sealed, aad }: { key: Uint8Array; iv: Uint8Array; sealed: Uint8Array; aad: Uint8Array }): Uint8Array {
  if (sealed.length < tagBytes) {
    throw new HoldfastError('INTERNAL', 'Encrypted secret could not be decrypted');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - tagBytes));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - tagBytes)), decipher.final()]);
  } catch (error) {
    throw new HoldfastError('INTERNAL', 'Encrypted secret could not be decrypted', { cause: error });
  }
}
