import { readRandomBytes } from '../random';
import type { RandomSource } from '../types';

/**
 * A UUIDv7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random bits. Rows keyed by it are
 * inserted at the right edge of their primary-key index, in time order, so a table of tens of
 * millions of rows costs an insert no more than a small one (a random v4 key lands on a random
 * leaf page of the whole index). Postgres 15 has no uuidv7(); the gateway makes them.
 */
export function timeOrderedUuid({ now, random }: { now: Date; random: RandomSource }): string {
  const bytes = readRandomBytes({ random, size: 16 });
  const millis = BigInt(now.getTime());
  for (let i = 0; i < 6; i += 1) bytes[i] = Number((millis >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f); // version 7
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f); // variant 10
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
