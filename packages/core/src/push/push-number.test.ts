import { describe, expect, it } from 'vitest';

import { isHoldfastError } from '../errors';
import { deterministicRandom } from '../test-support/deterministic-random';
import type { RandomSource } from '../types';
import { generatePushNumber, isNumberMatch, normalizeTypedPushNumber } from './push-number';

/** A source that hands out the given 16-bit values, big-endian, one per 2-byte draw. */
function sequenceRandom(values: readonly number[]): RandomSource {
  let index = 0;
  return (size) => {
    const value = values[index] ?? 0;
    index += 1;
    const out = new Uint8Array(size);
    out[0] = value >> 8;
    out[1] = value & 0xff;
    return out;
  };
}

describe('[PUSH_APPROVE_NUMBER] the number on the login screen', () => {
  it('has 2 digits by default and 3 when configured, never a leading zero', () => {
    const random = deterministicRandom('push-number-shape');
    for (let i = 0; i < 500; i += 1) {
      expect(generatePushNumber({ random })).toMatch(/^[1-9][0-9]$/u);
      expect(generatePushNumber({ random, digits: 3 })).toMatch(/^[1-9][0-9]{2}$/u);
    }
  });

  it('refuses digit counts outside 2–3', () => {
    const random = deterministicRandom('push-number-bounds');
    for (const digits of [0, 1, 4, 2.5, Number.NaN]) {
      expect(() => generatePushNumber({ random, digits })).toThrow(/2 to 3 digits/u);
    }
  });

  it('is unbiased: over every possible 16-bit draw, each number comes out equally often', () => {
    for (const [digits, count] of [
      [2, 90],
      [3, 900],
    ] as const) {
      const seen = new Map<string, number>();
      const acceptBelow = 65_536 - (65_536 % count);
      // Feed each accepted draw value exactly once: the rejection zone is never reached.
      const random = sequenceRandom(Array.from({ length: acceptBelow }, (_, v) => v));
      for (let i = 0; i < acceptBelow; i += 1) {
        const shown = generatePushNumber({ random, digits });
        seen.set(shown, (seen.get(shown) ?? 0) + 1);
      }
      expect(seen.size).toBe(count);
      expect(new Set(seen.values())).toEqual(new Set([acceptBelow / count]));
    }
  });

  it('draws again instead of folding the top of the range onto the low numbers (no modulo bias)', () => {
    // 65 535 is in the rejected zone for 90 numbers (65 520 … 65 535); `% 90` would have given 15 → "25".
    expect(generatePushNumber({ random: sequenceRandom([65_535, 65_520, 0]) })).toBe('10');
    expect(generatePushNumber({ random: sequenceRandom([65_519]) })).toBe(String(10 + (65_519 % 90)));
  });

  it('fails loudly when the random source only ever produces rejected values', () => {
    let caught: unknown;
    try {
      generatePushNumber({ random: sequenceRandom(Array.from({ length: 100 }, () => 65_535)) });
    } catch (error) {
      caught = error;
    }
    expect(isHoldfastError(caught) && caught.code === 'INTERNAL').toBe(true);
  });

  it('refuses a short read from the random source', () => {
    expect(() => generatePushNumber({ random: () => new Uint8Array(1) })).toThrow(/wrong number of bytes/u);
  });
});

describe('[PUSH_WRONG_NUMBER] matching what the user typed', () => {
  it('accepts the number as people type it: spaces, leading zeros', () => {
    for (const typed of ['47', ' 47', '47 ', '4 7', '047', '0047', '\t4\u00a07\n']) {
      expect(isNumberMatch(typed, '47')).toBe(true);
    }
    expect(isNumberMatch('4 0 7', '407')).toBe(true);
  });

  it('refuses any other number, and anything that is not digits', () => {
    for (const typed of ['74', '4', '470', '48', '', '   ', '4x7', '-47', '+47', '47.0', '４７', '٤٧', '0x2f', '4e1', '00000000047']) {
      expect(isNumberMatch(typed, '47')).toBe(false);
    }
    expect(isNumberMatch('47', '470')).toBe(false);
  });

  it('never throws for input of the wrong type or size (it is user input)', () => {
    for (const typed of [undefined, null, 47, {}, ['47'], '9'.repeat(100_000), ' '.repeat(100_000)]) {
      expect(isNumberMatch(typed, '47')).toBe(false);
    }
  });

  it('matches nothing when the expected number itself is malformed (fails closed)', () => {
    expect(isNumberMatch('', '')).toBe(false);
    expect(isNumberMatch('47', 'forty-seven')).toBe(false);
  });

  it('normalises to the digits meant, or null', () => {
    expect(normalizeTypedPushNumber(' 0 4 7 ')).toBe('47');
    expect(normalizeTypedPushNumber('000')).toBe('0');
    expect(normalizeTypedPushNumber('12345678')).toBe('12345678');
    expect(normalizeTypedPushNumber('123456789')).toBeNull();
    expect(normalizeTypedPushNumber('4-7')).toBeNull();
  });
});
