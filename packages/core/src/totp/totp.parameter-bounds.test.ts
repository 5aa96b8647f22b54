import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { checkTotpCode } from './check-totp-code';
import { generateCodeForStepSync, generateHotpCode, generateTotpCode } from './generate-totp-code';
import { defaultTotpParams } from './totp-params';
import { createTotpSecret } from './totp-secret';
import { timeStepAt } from './time-step';

const params = defaultTotpParams;
const secret = createTotpSecret({ random: deterministicRandom('bounds'), algorithm: 'SHA1' });
const now = new Date('2026-03-01T12:00:10Z');

describe('TOTP period bounds (1..3600 s, integer)', () => {
  it.each([1, 30, 3600])('accepts a period of %i s', (period) => {
    expect(timeStepAt({ at: now, period })).toBe(Math.floor(Math.floor(now.getTime() / 1000) / period));
  });

  it.each([0, -30, 3601, 1.5, Number.NaN])('refuses a period of %d s with BAD_REQUEST', (period) => {
    expect(() => timeStepAt({ at: now, period })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST', message: 'TOTP period must be an integer from 1 to 3600 seconds' }),
    );
  });

  it('refuses to generate a code for a period outside the bounds, whatever the step', () => {
    expect(() => generateCodeForStepSync({ key: new Uint8Array(20), params: { ...params, period: 3601 }, step: 1 })).toThrow(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    );
  });

  it('refuses an invalid date instead of computing step NaN', () => {
    expect(() => timeStepAt({ at: new Date('not a date'), period: 30 })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: 'Invalid time' }));
  });
});

describe('HOTP counter bounds', () => {
  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('refuses counter %d with BAD_REQUEST', async (counter) => {
    await expect(generateHotpCode({ secret, counter, algorithm: 'SHA1', digits: 6 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'HOTP counter must be a non-negative integer',
    });
  });

  it('accepts counter 0 and the largest safe integer', async () => {
    await expect(generateHotpCode({ secret, counter: 0, algorithm: 'SHA1', digits: 6 })).resolves.toMatch(/^\d{6}$/);
    await expect(generateHotpCode({ secret, counter: Number.MAX_SAFE_INTEGER, algorithm: 'SHA1', digits: 6 })).resolves.toMatch(/^\d{6}$/);
  });
});

describe('a stored secret too short to use is corrupt state (INTERNAL), with the cause kept', () => {
  // 10 bytes: otplib requires at least 16.
  const shortSecret = 'JBSWY3DPEHPK3PXP';
  it('for TOTP', async () => {
    const error: unknown = await generateTotpCode({ secret: shortSecret, params, at: now }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'TOTP code generation failed' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
  it('for HOTP', async () => {
    const error: unknown = await generateHotpCode({ secret: shortSecret, counter: 1, algorithm: 'SHA1', digits: 6 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'HOTP code generation failed' });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe('a random source that returns too few bytes', () => {
  it('is INTERNAL: a short read would silently shrink the secret', () => {
    expect(() => createTotpSecret({ random: () => new Uint8Array(4), algorithm: 'SHA1' })).toThrow(
      expect.objectContaining({ code: 'INTERNAL', message: 'Random source returned the wrong number of bytes' }),
    );
  });
});

describe('TOTP window bounds (0..10 steps, integer)', () => {
  it('accepts the widest window, 10 steps either side', async () => {
    const code = await generateTotpCode({ secret, params, at: new Date(now.getTime() - 10 * 30_000) });
    await expect(checkTotpCode({ secret, code, params, now, window: 10, lastStep: -1 })).resolves.toMatchObject({ matched: true });
  });

  it('names the allowed range when refusing a window', async () => {
    await expect(checkTotpCode({ secret, code: '123456', params, now, window: 11, lastStep: -1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'TOTP window must be an integer from 0 to 10',
    });
  });

  it('refuses a stored last step that is not an integer as INTERNAL (corrupt state)', async () => {
    await expect(checkTotpCode({ secret, code: '123456', params, now, lastStep: Number.NaN })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'Stored TOTP last step is invalid',
    });
  });
});

describe('TOTP at the start of Unix time', () => {
  it('checks step 0 and skips the steps before it, which do not exist', async () => {
    const epoch = new Date(10_000);
    const code = await generateTotpCode({ secret, params, at: epoch });
    await expect(checkTotpCode({ secret, code, params, now: epoch, window: 2, lastStep: -1 })).resolves.toEqual({ matched: true, step: 0, isReplay: false });
  });
});

describe('default TOTP parameters', () => {
  it('are the ones every mainstream authenticator app supports: SHA1, 6 digits, 30 s', () => {
    expect(defaultTotpParams).toEqual({ algorithm: 'SHA1', digits: 6, period: 30 });
  });
});
