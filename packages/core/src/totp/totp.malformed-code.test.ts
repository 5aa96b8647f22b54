import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { checkTotpCode } from './check-totp-code';
import { generateTotpCode } from './generate-totp-code';
import { defaultTotpParams } from './totp-params';
import { createTotpSecret } from './totp-secret';

const params = defaultTotpParams;
const secret = createTotpSecret({ random: deterministicRandom('malformed'), algorithm: 'SHA1' });
const now = new Date('2026-03-01T12:00:10Z');

describe('TOTP rejects malformed codes without throwing', () => {
  const malformed = ['', '12345', '1234567', '12345a', ' 123456', '123456 ', '12 3456', '-12345', '١٢٣٤٥٦', '+12345', '1e5000'];
  for (const code of malformed) {
    it(`rejects ${JSON.stringify(code)}`, async () => {
      await expect(checkTotpCode({ secret, code, params, now, lastStep: -1 })).resolves.toEqual({ matched: false });
    });
  }

  it('rejects an 8-digit code for a 6-digit factor even if it ends in the right 6 digits', async () => {
    const eightDigit = await generateTotpCode({ secret, params: { ...params, digits: 8 }, at: now });
    const sixDigit = await generateTotpCode({ secret, params, at: now });
    expect(eightDigit.endsWith(sixDigit)).toBe(true);
    await expect(checkTotpCode({ secret, code: eightDigit, params, now, lastStep: -1 })).resolves.toEqual({
      matched: false,
    });
  });
});
