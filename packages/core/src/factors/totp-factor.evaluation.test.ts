import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { generateTotpCode } from '../totp/generate-totp-code';
import { timeStepAt } from '../totp/time-step';
import { defaultTotpParams } from '../totp/totp-params';
import { createTotpSecret } from '../totp/totp-secret';
import { evaluateTotpCode, totpFactor } from './totp-factor';

const params = defaultTotpParams;
const secret = createTotpSecret({ random: deterministicRandom('totp-factor'), algorithm: 'SHA1' });
const now = new Date('2026-03-01T12:00:10Z');
const nowStep = timeStepAt({ at: now, period: params.period });

describe('TOTP factor evaluation (code against stored state)', () => {
  it('matches a current code whose step is newer than the last accepted one, with that step', async () => {
    const code = await generateTotpCode({ secret, params, at: now });
    await expect(evaluateTotpCode({ secret, code, params, now, lastStep: nowStep - 1 })).resolves.toEqual({ isMatch: true, step: nowStep });
  });

  it('calls a right code of an already used step a replay (invariant 1), not a wrong code', async () => {
    const code = await generateTotpCode({ secret, params, at: now });
    await expect(evaluateTotpCode({ secret, code, params, now, lastStep: nowStep })).resolves.toEqual({ isMatch: false, reason: 'replay' });
    await expect(evaluateTotpCode({ secret, code, params, now, lastStep: nowStep + 1 })).resolves.toEqual({ isMatch: false, reason: 'replay' });
  });

  it('calls a wrong or malformed code invalid_code', async () => {
    const code = await generateTotpCode({ secret, params, at: now });
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await expect(evaluateTotpCode({ secret, code: wrong, params, now, lastStep: -1 })).resolves.toEqual({ isMatch: false, reason: 'invalid_code' });
    await expect(evaluateTotpCode({ secret, code: 'abcdef', params, now, lastStep: -1 })).resolves.toEqual({ isMatch: false, reason: 'invalid_code' });
  });

  it('is the registry entry’s evaluation', () => {
    expect(totpFactor.evaluate).toBe(evaluateTotpCode);
  });
});
