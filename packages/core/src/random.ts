import { HoldfastError } from './errors';
import type { RandomSource } from './types';

/**
 * Draws bytes from the injected source and insists on the exact length: a short read would silently
 * shrink a key or secret, and with `noUncheckedIndexedAccess` it would surface far from the cause.
 */
export function readRandomBytes({ random, size }: { random: RandomSource; size: number }): Uint8Array {
  const bytes = random(size);
  if (bytes.length !== size) {
    throw new HoldfastError('INTERNAL', 'Random source returned the wrong number of bytes');
  }
  return bytes;
}
