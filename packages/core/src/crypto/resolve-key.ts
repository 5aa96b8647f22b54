import { HoldfastError } from '../errors';
import type { Keyring } from './keyring';
import { keyBytes } from './keyring';

/** Looks up a key-encryption key; an unknown id means the keyring lost a key still in use. */
export function resolveKey({ keyring, keyId }: { keyring: Keyring; keyId: string }): Uint8Array {
  const key = keyring.keys.get(keyId);
  if (key === undefined) {
    throw new HoldfastError('INTERNAL', `Encryption key "${keyId}" is not in the keyring`);
  }
  // Keyrings can be built by hand, bypassing parseKeyring's check.
  if (key.length !== keyBytes) {
    throw new HoldfastError('INTERNAL', `Encryption key "${keyId}" has the wrong length`);
  }
  return key;
}
