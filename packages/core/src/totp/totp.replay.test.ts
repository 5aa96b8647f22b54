import { describe, expect, it } from 'vitest';

import { isHoldfastError } from '../errors';
import { deterministicRandom } from '../test-support/deterministic-random';
import { checkTotpCode } from './check-totp-code';
import { generateTotpCode } from './generate-totp-code';
import { defaultTotpParams } from './totp-params';
import { createTotpSecret } from './totp-secret';
import { timeStepAt } from './time-step';

const params = defaultTotpParams;
const secret = createTotpSecret({ random: deterministicRandom('replay'), algorithm: 'SHA1' });
const now = new Date('2026-03-01T12:00:10Z');
const nowStep = timeStepAt({ at: now, period: params.period });

describe('TOTP replay detection via the stored last step', () => {
  it('flags a code whose step was already accepted', async () => {
    const code = await generateTotpCode({ secret, params, at: now });
    const first = await checkTotpCode({ secret, code, params, now, lastStep: nowStep - 1 });
    expect(first).toEqual({ matched: true, step: nowStep, isReplay: false });

    // The service stored nowStep as last_step after the first acceptance.
    const second = await checkTotpCode({ secret, code, params, now, lastStep: nowStep });
    expect(second).toEqual({ matched: true, step: nowStep, isReplay: true });
  });

  it('flags an older code still inside the window once a newer step was used', async () => {
    const previousCode = await generateTotpCode({ secret, params, at: new Date(now.getTime() - 30_000) });
    const check = await checkTotpCode({ secret, code: previousCode, params, now, lastStep: nowStep });
    expect(check).toEqual({ matched: true, step: nowStep - 1, isReplay: true });
  });

  it('accepts the next step after the last accepted one', async () => {
    const later = new Date(now.getTime() + 30_000);
    const code = await generateTotpCode({ secret, params, at: later });
    const check = await checkTotpCode({ secret, code, params, now: later, lastStep: nowStep });
    expect(check).toEqual({ matched: true, step: nowStep + 1, isReplay: false });
  });

  it('[TOTP_SHARED_CODE] spends the oldest fresh step when two steps share a code, so the next step still logs in', async () => {
    // A real pair from a soak: this secret's codes for two consecutive steps are both 425464.
    const shared = 'BJHS7C3PTKE2CMAZL7TQRGJMCDNURSAV';
    const first = 59_865_772;
    const at = (step: number): Date => new Date(step * 30_000 + 1);
    expect(await generateTotpCode({ secret: shared, params, at: at(first) })).toBe('425464');
    expect(await generateTotpCode({ secret: shared, params, at: at(first + 1) })).toBe('425464');
    // In step `first` (the window reaches `first + 1`), the login spends `first`, not `first + 1`...
    const now1 = at(first);
    expect(await checkTotpCode({ secret: shared, code: '425464', params, now: now1, lastStep: first - 1 })).toEqual({
      matched: true,
      step: first,
      isReplay: false,
    });
    // ...so in the next step the same digits are that step's own code, and it is accepted.
    const now2 = at(first + 1);
    expect(await checkTotpCode({ secret: shared, code: '425464', params, now: now2, lastStep: first })).toEqual({
      matched: true,
      step: first + 1,
      isReplay: false,
    });
    // Both used: a replay, naming the newest used step.
    expect(await checkTotpCode({ secret: shared, code: '425464', params, now: now2, lastStep: first + 1 })).toEqual({
      matched: true,
      step: first + 1,
      isReplay: true,
    });
  });

  it('refuses a non-integer last step instead of letting NaN disable replay checks', async () => {
    const code = await generateTotpCode({ secret, params, at: now });
    const error: unknown = await checkTotpCode({ secret, code, params, now, lastStep: Number.NaN }).catch((e: unknown) => e);
    expect(isHoldfastError(error) && error.code).toBe('INTERNAL');
  });
});
