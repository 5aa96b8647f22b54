import { randomBytes, randomInt } from 'node:crypto';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';

import { generateCodeForStepSync } from './generate-totp-code';
import type { TotpAlgorithm } from './totp-params';

// Codes are made by core's own RFC 4226 arithmetic over node's HMAC (issue 9: otplib's `generate`
// cost ~14 µs a code on the hot path). otplib, which made them before and still makes secrets and
// URIs, is the oracle: any difference in counter encoding, truncation or padding shows here.
const otplibAlgorithm = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' } as const;

describe('[TOTP_NATIVE_HMAC] core makes the same codes as otplib', () => {
  it('for 600 random keys, steps, algorithms and digit counts (steps past 2^32 included)', async () => {
    for (let i = 0; i < 600; i += 1) {
      const algorithm = (['SHA1', 'SHA256', 'SHA512'] as const)[i % 3] as TotpAlgorithm;
      const digits = i % 2 === 0 ? 6 : 8;
      const key = new Uint8Array(randomBytes(16 + randomInt(0, 49)));
      // Small steps, today's (~5.9e7), and steps whose high 32 bits are set.
      const step = i < 200 ? randomInt(0, 1000) : i < 400 ? 59_000_000 + randomInt(0, 2_000_000) : 2 ** 32 + randomInt(0, 2 ** 40);
      const params = { algorithm, digits, period: 30 } as const;
      const theirs = await generate({ strategy: 'hotp', secret: key, algorithm: otplibAlgorithm[algorithm], digits, counter: step });
      expect(generateCodeForStepSync({ key, params, step }), `${algorithm} ${digits} digits, step ${step}`).toBe(theirs);
    }
  });
});
