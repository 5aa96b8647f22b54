import { ScureBase32Plugin } from 'otplib';

import { HoldfastError } from '../errors';
import { readRandomBytes } from '../random';
import type { RandomSource } from '../types';
import type { TotpAlgorithm } from './totp-params';
import { totpSecretBytes } from './totp-params';

const base32 = new ScureBase32Plugin();

/** A fresh shared secret, base32 (RFC 4648, unpadded) as authenticator apps expect it. */
export function createTotpSecret({ random, algorithm }: { random: RandomSource; algorithm: TotpAlgorithm }): string {
  const bytes = readRandomBytes({ random, size: totpSecretBytes[algorithm] });
  return base32.encode(bytes, { padding: false });
}

/**
 * Decodes once per verification so every time step reuses the same key bytes. A secret that does
 * not decode is corrupt server state, not caller input, hence INTERNAL; the decoder's own message is
 * dropped because it quotes the offending character of the secret.
 */
export function decodeTotpSecret(secret: string): Uint8Array {
  try {
    return base32.decode(secret.toUpperCase().replace(/=+$/, ''));
  } catch {
    throw new HoldfastError('INTERNAL', 'Stored TOTP secret is malformed');
  }
}
