import { createHash } from 'node:crypto';

import type { RandomSource } from '../types';

/**
 * Test-only RandomSource: a SHA-256 counter stream from a seed, so tests are reproducible while
 * the bytes still look uniform (the recovery-code alphabet test relies on that).
 */
export function deterministicRandom(seed: string): RandomSource {
  let counter = 0;
  return (size) => {
    const out = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const block = createHash('sha256').update(`${seed}:${counter}`).digest();
      counter += 1;
      const take = Math.min(block.length, size - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
    }
    return out;
  };
}

/** Base32 (RFC 4648, unpadded) of an ASCII string, for the RFC test-vector seeds. */
export function base32OfAscii(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let output = '';
  for (const byte of new TextEncoder().encode(text)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      output += alphabet.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) {
    output += alphabet.charAt((value << (5 - bits)) & 31);
  }
  return output;
}
