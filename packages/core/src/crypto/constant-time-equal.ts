import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings without a data-dependent early exit, so response time does not reveal
 * how many leading bytes of a guess were right. Lengths are not secret here (codes and hashes have
 * fixed public lengths), so a length mismatch may return at once.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  return timingSafeEqual(a, b);
}
