import { describe, expect, it } from 'vitest';

import { base32OfAscii } from '../test-support/deterministic-random';
import { checkTotpCode } from './check-totp-code';
import { generateTotpCode } from './generate-totp-code';
import type { TotpAlgorithm } from './totp-params';
import { timeStepAt } from './time-step';

// RFC 6238 Appendix B: the seed length matches each hash's output size.
const seeds: Record<TotpAlgorithm, string> = {
  SHA1: base32OfAscii('12345678901234567890'),
  SHA256: base32OfAscii('12345678901234567890123456789012'),
  SHA512: base32OfAscii('1234567890123456789012345678901234567890123456789012345678901234'),
};

const vectors: { time: number; codes: Record<TotpAlgorithm, string> }[] = [
  { time: 59, codes: { SHA1: '94287082', SHA256: '46119246', SHA512: '90693936' } },
  { time: 1111111109, codes: { SHA1: '07081804', SHA256: '68084774', SHA512: '25091201' } },
  { time: 1111111111, codes: { SHA1: '14050471', SHA256: '67062674', SHA512: '99943326' } },
  { time: 1234567890, codes: { SHA1: '89005924', SHA256: '91819424', SHA512: '93441116' } },
  { time: 2000000000, codes: { SHA1: '69279037', SHA256: '90698825', SHA512: '38618901' } },
  { time: 20000000000, codes: { SHA1: '65353130', SHA256: '77737706', SHA512: '47863826' } },
];

const algorithms: TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

describe('TOTP matches RFC 6238 Appendix B', () => {
  for (const { time, codes } of vectors) {
    for (const algorithm of algorithms) {
      const params = { algorithm, digits: 8, period: 30 } as const;
      const at = new Date(time * 1000);

      it(`generates ${codes[algorithm]} for ${algorithm} at T=${time}`, async () => {
        await expect(generateTotpCode({ secret: seeds[algorithm], params, at })).resolves.toBe(codes[algorithm]);
      });

      it(`accepts ${codes[algorithm]} for ${algorithm} at T=${time} in its own step`, async () => {
        const check = await checkTotpCode({
          secret: seeds[algorithm],
          code: codes[algorithm],
          params,
          now: at,
          window: 0,
          lastStep: -1,
        });
        expect(check).toEqual({ matched: true, step: timeStepAt({ at, period: 30 }), isReplay: false });
      });
    }
  }

  it('computes the RFC time steps (T = floor(unix / 30))', () => {
    expect(timeStepAt({ at: new Date(59_000), period: 30 })).toBe(1);
    expect(timeStepAt({ at: new Date(1111111109_000), period: 30 })).toBe(0x23523ec);
    expect(timeStepAt({ at: new Date(20000000000_000), period: 30 })).toBe(0x27bc86aa);
  });
});
