import { describe, expect, it } from 'vitest';

import { generateRecoveryCodes } from '../recovery/generate-recovery-codes';
import { hashRecoveryCode, recoveryCodeSaltBytes, type RecoveryCodeCandidate } from '../recovery/hash-recovery-code';
import { deterministicRandom } from '../test-support/deterministic-random';
import { evaluateRecoveryCode, recoveryCodesFactor } from './recovery-codes-factor';

const random = deterministicRandom('recovery-factor');
const [issued = '', other = ''] = generateRecoveryCodes({ random, count: 2 });

async function candidate(id: string, code: string): Promise<RecoveryCodeCandidate> {
  const salt = random(recoveryCodeSaltBytes);
  return { id, salt, hash: await hashRecoveryCode({ code, salt }) };
}

describe('recovery code factor evaluation (the match step)', () => {
  it('matches an issued code, typed loosely, with the stored code’s id', async () => {
    const candidates = [await candidate('rc-a', other), await candidate('rc-b', issued)];
    await expect(evaluateRecoveryCode({ code: ` ${issued.toLowerCase()} `, candidates })).resolves.toEqual({ isMatch: true, codeId: 'rc-b' });
  });

  it('calls a code that is not among the candidates invalid_code', async () => {
    const candidates = [await candidate('rc-a', other)];
    await expect(evaluateRecoveryCode({ code: issued, candidates })).resolves.toEqual({ isMatch: false, reason: 'invalid_code' });
    await expect(evaluateRecoveryCode({ code: issued, candidates: [] })).resolves.toEqual({ isMatch: false, reason: 'invalid_code' });
    await expect(evaluateRecoveryCode({ code: 'not a code', candidates })).resolves.toEqual({ isMatch: false, reason: 'invalid_code' });
  });

  it('is the registry entry’s evaluation', () => {
    expect(recoveryCodesFactor.evaluate).toBe(evaluateRecoveryCode);
  });
});
