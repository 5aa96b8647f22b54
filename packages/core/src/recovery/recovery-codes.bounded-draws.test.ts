import { describe, expect, it } from 'vitest';

import type { RandomSource } from '../types';
import { generateRecoveryCodes } from './generate-recovery-codes';
import { hashRecoveryCode, recoveryCodeSaltBytes } from './hash-recovery-code';

/** A source that gives the same code `repeats` times, then fresh bytes. */
function stuckThenFresh(repeats: number): RandomSource {
  let draws = 0;
  return (size) => {
    draws += 1;
    return new Uint8Array(size).fill(draws <= repeats ? 0 : draws);
  };
}

describe('recovery-code generation gives up after 4 draws per code', () => {
  it('succeeds when the last allowed draw brings the missing code', () => {
    // count 2 → 8 draws allowed: 7 identical, then a new one.
    expect(generateRecoveryCodes({ random: stuckThenFresh(7), count: 2 })).toHaveLength(2);
  });

  it('fails with INTERNAL when it would need one draw more', () => {
    expect(() => generateRecoveryCodes({ random: stuckThenFresh(8), count: 2 })).toThrow(
      expect.objectContaining({ code: 'INTERNAL', message: 'Random source produced repeated recovery codes' }),
    );
  });

  it('names the allowed range when refusing a count', () => {
    expect(() => generateRecoveryCodes({ random: stuckThenFresh(0), count: 101 })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: 'Recovery code count must be an integer from 1 to 100' }),
    );
  });
});

describe('recovery-code hashing refuses what it must not hash', () => {
  it('a malformed code (BAD_REQUEST), before any scrypt', async () => {
    await expect(hashRecoveryCode({ code: 'not-a-code!', salt: new Uint8Array(recoveryCodeSaltBytes) })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Recovery code is malformed',
    });
  });

  it('a salt of the wrong length (INTERNAL: stored state is corrupt)', async () => {
    await expect(hashRecoveryCode({ code: 'ABCDE-FGHJK', salt: new Uint8Array(8) })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'Recovery code salt has the wrong length',
    });
  });
});
