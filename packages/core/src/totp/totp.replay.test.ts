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

  it('refuses a non-integer last step instead of letting NaN disable replay checks', async () => {
    const code = await generateTotpCode({ secret, params, at: now });
    const error: unknown = await checkTotpCode({ secret, code, params, now, lastStep: Number.NaN }).catch((e: unknown) => e);
    expect(isHoldfastError(error) && error.code).toBe('INTERNAL');
  });
});
