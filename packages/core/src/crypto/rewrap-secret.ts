import { readRandomBytes } from '../random';
import type { RandomSource } from '../types';
import { ivBytes, sealAesGcm } from './aes-gcm';
import { unwrapDataKey } from './decrypt-secret';
import { parseEnvelope, serializeEnvelope, wrapAad } from './envelope-format';
import type { Keyring } from './keyring';
import { resolveKey } from './resolve-key';

/**
 * Key rotation: re-wraps the envelope's data key under the keyring's active key, leaving the
 * encrypted secret untouched (no aad or plaintext needed). Returns the input unchanged when it is
 * already under the active key, so a rotation run can be repeated safely.
 */
export function rewrapSecret({ keyring, envelope, random }: { keyring: Keyring; envelope: string; random: RandomSource }): string {
  const parsed = parseEnvelope(envelope);
  const keyId = keyring.activeKeyId;
  if (parsed.keyId === keyId) {
    return envelope;
  }
  const kek = resolveKey({ keyring, keyId });
  const dek = unwrapDataKey({ keyring, envelope: parsed });
  try {
    const wrapIv = readRandomBytes({ random, size: ivBytes });
    const wrappedKey = sealAesGcm({ key: kek, iv: wrapIv, plaintext: dek, aad: wrapAad(keyId) });
    return serializeEnvelope({ ...parsed, keyId, wrapIv, wrappedKey });
  } finally {
    dek.fill(0);
  }
}
