import { describe, expect, it } from 'vitest';

import { isHoldfastError } from '../errors';
import { deterministicRandom } from '../test-support/deterministic-random';
import { checkTotpCode } from './check-totp-code';
import { generateTotpCode } from './generate-totp-code';
import { defaultTotpParams } from './totp-params';
import { createTotpSecret } from './totp-secret';
import { timeStepAt } from './time-step';

const params = defaultTotpParams;
const secret = createTotpSecret({ random: deterministicRandom('window'), algorithm: 'SHA1' });
const now = new Date('2026-03-01T12:00:10Z');
const nowStep = timeStepAt({ at: now, period: params.period });

async function codeAtStepOffset(offset: number): Promise<string> {
  return generateTotpCode({ secret, params, at: new Date(now.getTime() + offset * params.period * 1000) });
}

describe('TOTP clock-drift window', () => {
  for (const offset of [-1, 0, 1]) {
    it(`accepts a code ${offset} step(s) away with the default window`, async () => {
      const check = await checkTotpCode({ secret, code: await codeAtStepOffset(offset), params, now, lastStep: -1 });
      expect(check).toEqual({ matched: true, step: nowStep + offset, isReplay: false });
    });
  }

  for (const offset of [-2, 2]) {
    it(`rejects a code ${offset} steps away with the default window`, async () => {
      const check = await checkTotpCode({ secret, code: await codeAtStepOffset(offset), params, now, lastStep: -1 });
      expect(check).toEqual({ matched: false });
    });
  }

  it('accepts ±2 steps when the window is widened to 2', async () => {
    const check = await checkTotpCode({ secret, code: await codeAtStepOffset(-2), params, now, window: 2, lastStep: -1 });
    expect(check).toEqual({ matched: true, step: nowStep - 2, isReplay: false });
  });

  it('accepts only the current step with window 0', async () => {
    const previous = await checkTotpCode({ secret, code: await codeAtStepOffset(-1), params, now, window: 0, lastStep: -1 });
    expect(previous).toEqual({ matched: false });
  });

  for (const window of [-1, 11, 1.5, Number.NaN]) {
    it(`refuses window ${window} with BAD_REQUEST`, async () => {
      const error: unknown = await checkTotpCode({ secret, code: '123456', params, now, window, lastStep: -1 }).catch((e: unknown) => e);
      expect(isHoldfastError(error) && error.code).toBe('BAD_REQUEST');
    });
  }

  it('rejects a wrong code', async () => {
    const right = await codeAtStepOffset(0);
    const wrong = ((Number(right) + 1) % 1_000_000).toString().padStart(6, '0');
    await expect(checkTotpCode({ secret, code: wrong, params, now, lastStep: -1 })).resolves.toEqual({ matched: false });
  });
});
