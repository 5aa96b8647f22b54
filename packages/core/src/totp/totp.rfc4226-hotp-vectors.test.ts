import { describe, expect, it } from 'vitest';

import { base32OfAscii } from '../test-support/deterministic-random';
import { generateHotpCode, generateTotpCode } from './generate-totp-code';

// RFC 4226 Appendix D.
const secret = base32OfAscii('12345678901234567890');
const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];

describe('HOTP matches RFC 4226 Appendix D', () => {
  expected.forEach((code, counter) => {
    it(`HOTP(counter=${counter}) = ${code}`, async () => {
      await expect(generateHotpCode({ secret, counter, algorithm: 'SHA1', digits: 6 })).resolves.toBe(code);
    });

    it(`TOTP at t=${counter * 30}s (period 30) equals HOTP(${counter})`, async () => {
      const at = new Date(counter * 30 * 1000);
      const params = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
      await expect(generateTotpCode({ secret, params, at })).resolves.toBe(code);
    });
  });
});
