import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { bufferedRandomSource } from './random';

describe('bufferedRandomSource', () => {
  it('hands out every byte once, the exact size asked, refilling across the buffer end', () => {
    const fills: Uint8Array[] = [];
    let counter = 0;
    // A counting source: every byte it ever produces is distinct (mod 256 over a short run is enough here).
    const random = bufferedRandomSource((buffer) => {
      for (let i = 0; i < buffer.length; i += 1) buffer[i] = (counter += 1) % 256;
      fills.push(buffer);
    }, 64);
    const got = [random(7), random(16), random(16), random(16), random(16)];
    expect(got.map((bytes) => bytes.length)).toEqual([7, 16, 16, 16, 16]);
    // 7 + 16 + 16 + 16 = 55 fits; the fifth draw (16 more) did not and came from a refill.
    expect(fills).toHaveLength(2);
    expect([...(got[0] ?? [])]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([...(got[4] ?? [])]).toEqual(Array.from({ length: 16 }, (_, i) => (64 + 1 + i) % 256));
  });

  it('wipes what it handed out, so the buffer keeps only bytes no caller has', () => {
    let buffer: Uint8Array = new Uint8Array(0);
    const random = bufferedRandomSource((b) => {
      randomFillSync(b);
      buffer = b;
    }, 64);
    const first = random(16);
    expect([...buffer.subarray(0, 16)]).toEqual(new Array(16).fill(0));
    // The caller's copy is its own: the wipe did not reach it.
    expect(first.some((byte) => byte !== 0)).toBe(true);
  });

  it('serves a large request straight from the source', () => {
    const sizes: number[] = [];
    const random = bufferedRandomSource((b) => {
      sizes.push(b.length);
      randomFillSync(b);
    }, 64);
    expect(random(32)).toHaveLength(32);
    expect(sizes).toEqual([32]);
  });

  it('gives different bytes on every draw from the real CSPRNG', () => {
    const random = bufferedRandomSource((b) => randomFillSync(b));
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i += 1) seen.add(Buffer.from(random(16)).toString('hex'));
    expect(seen.size).toBe(1000);
  });
});
