import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { generateRecoveryCodes } from './generate-recovery-codes';
import { recoveryCodeAlphabet, recoveryCodeLength } from './recovery-code-format';

const format = new RegExp(`^[${recoveryCodeAlphabet}]{5}-[${recoveryCodeAlphabet}]{5}$`);

describe('recovery code generation', () => {
  it('creates 10 codes by default, formatted XXXXX-XXXXX', () => {
    const codes = generateRecoveryCodes({ random: deterministicRandom('default') });
    expect(codes).toHaveLength(10);
    for (const code of codes) {
      expect(code).toMatch(format);
    }
  });

  it('honours the requested count', () => {
    expect(generateRecoveryCodes({ random: deterministicRandom('count'), count: 16 })).toHaveLength(16);
  });

  it('refuses counts outside 1..100', () => {
    for (const count of [0, -1, 101, 2.5]) {
      expect(() => generateRecoveryCodes({ random: deterministicRandom('bad'), count })).toThrow(/count/);
    }
  });

  it('never repeats a code within a set, even when the random source repeats itself', () => {
    // Returns the same 10 bytes twice, then fresh ones: the duplicate must be drawn again.
    const stream = deterministicRandom('dupes');
    let calls = 0;
    const repeating = (size: number): Uint8Array => {
      calls += 1;
      return calls <= 2 ? new Uint8Array(size).fill(7) : stream(size);
    };
    const codes = generateRecoveryCodes({ random: repeating, count: 5 });
    expect(new Set(codes).size).toBe(5);
  });

  it('fails loudly instead of looping forever on a constant random source', () => {
    expect(() => generateRecoveryCodes({ random: (size) => new Uint8Array(size), count: 2 })).toThrow(/repeated/);
  });

  it('carries at least 40 bits per code from a 32-symbol alphabet without look-alikes', () => {
    expect(new Set(recoveryCodeAlphabet).size).toBe(32);
    expect(recoveryCodeLength * Math.log2(recoveryCodeAlphabet.length)).toBeGreaterThanOrEqual(40);
    for (const ambiguous of ['0', 'O', '1', 'I']) {
      expect(recoveryCodeAlphabet).not.toContain(ambiguous);
    }
  });

  it('uses every symbol of the alphabet roughly evenly (no selection bias)', () => {
    const counts = new Map<string, number>();
    const codes = generateRecoveryCodes({ random: deterministicRandom('spread'), count: 100 });
    for (const code of codes) {
      for (const symbol of code.replace('-', '')) {
        counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(32);
    // 1000 symbols / 32 ≈ 31 each; a biased mapping (e.g. modulo 36) would skew far outside this.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(10);
      expect(count).toBeLessThan(60);
    }
  });

  it('maps random bytes to symbols by their low 5 bits', () => {
    const bytes = Uint8Array.from([0, 1, 31, 32, 33, 255, 224, 7, 8, 9]);
    const [code] = generateRecoveryCodes({ random: () => bytes, count: 1 });
    expect(code).toBe('23Z23-Z29AB');
  });
});
