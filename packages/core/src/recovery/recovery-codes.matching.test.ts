import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { generateRecoveryCodes } from './generate-recovery-codes';
import type { RecoveryCodeCandidate } from './hash-recovery-code';
import { findMatchingRecoveryCode, hashRecoveryCode, recoveryCodeSaltBytes } from './hash-recovery-code';

const random = deterministicRandom('matching');
const codes = generateRecoveryCodes({ random, count: 4 });

async function storeCodes(plain: string[]): Promise<RecoveryCodeCandidate[]> {
  return Promise.all(
    plain.map(async (code, index) => {
      const salt = random(recoveryCodeSaltBytes);
      return { id: `rc${index}`, salt, hash: await hashRecoveryCode({ code, salt }) };
    }),
  );
}

describe('recovery code matching', () => {
  it('finds the stored code a user types, in any accepted spelling', async () => {
    const candidates = await storeCodes(codes);
    const [, second] = codes;
    expect(second).toBeDefined();
    await expect(findMatchingRecoveryCode({ code: second ?? '', candidates })).resolves.toBe('rc1');
    await expect(findMatchingRecoveryCode({ code: ` ${(second ?? '').toLowerCase().replace('-', ' ')} `, candidates })).resolves.toBe('rc1');
  });

  it('returns null for a well-formed code that was never issued', async () => {
    const candidates = await storeCodes(codes);
    const [stranger] = generateRecoveryCodes({ random: deterministicRandom('stranger'), count: 1 });
    await expect(findMatchingRecoveryCode({ code: stranger ?? '', candidates })).resolves.toBeNull();
  });

  it('returns null for malformed input without hashing', async () => {
    const candidates = await storeCodes(codes);
    await expect(findMatchingRecoveryCode({ code: 'not-a-code', candidates })).resolves.toBeNull();
  });

  it('does not match a used code once its candidate has been removed', async () => {
    const candidates = await storeCodes(codes);
    const [first] = codes;
    const remaining = candidates.filter((candidate) => candidate.id !== 'rc0');
    await expect(findMatchingRecoveryCode({ code: first ?? '', candidates: remaining })).resolves.toBeNull();
  });

  it('salts per code: the same code hashes differently under different salts', async () => {
    const [code] = codes;
    const a = await hashRecoveryCode({ code: code ?? '', salt: new Uint8Array(recoveryCodeSaltBytes).fill(1) });
    const b = await hashRecoveryCode({ code: code ?? '', salt: new Uint8Array(recoveryCodeSaltBytes).fill(2) });
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('refuses a salt of the wrong length', async () => {
    const [code] = codes;
    await expect(hashRecoveryCode({ code: code ?? '', salt: new Uint8Array(8) })).rejects.toThrow(/salt/);
  });
});
