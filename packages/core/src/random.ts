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

/**
 * The operating system's CSPRNG (node's `randomFillSync`), drawn 4 KiB at a time: each draw of
 * `randomBytes` is a call into OpenSSL and a fresh buffer (~2 µs), and a verification takes several
 * (attempt and audit ids). Every byte is handed out once and wiped from the buffer as it goes, so
 * what stays in memory is only what no caller has received yet. Larger requests go straight to
 * the source.
 */
export function bufferedRandomSource(fill: (buffer: Uint8Array) => void, bufferBytes = 4096): RandomSource {
  const buffer = new Uint8Array(bufferBytes);
  let offset = bufferBytes;
  return (size) => {
    if (size > bufferBytes / 4) {
      const direct = new Uint8Array(size);
      fill(direct);
      return direct;
    }
    if (offset + size > bufferBytes) {
      fill(buffer);
      offset = 0;
    }
    const out = buffer.slice(offset, offset + size);
    buffer.fill(0, offset, offset + size);
    offset += size;
    return out;
  };
}
