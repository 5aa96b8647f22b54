import { describe, expect, it } from 'vitest';

import { checkTotpCode } from './check-totp-code';
import { generateTotpCode } from './generate-totp-code';
import { defaultTotpParams } from './totp-params';
import { decodeTotpSecret } from './totp-secret';

const params = defaultTotpParams;
const now = new Date('2026-03-01T12:00:10Z');
// Not base32 ('1', '8', '9' are outside the alphabet): decoding it throws.
const corruptSecret = '189189189189189189189189';

/**
 * A code that cannot be right by its format is refused before the stored secret is decoded or any
 * HMAC is computed: the only thing the early answer reveals is the format, and a flood of junk
 * costs no crypto. Observed through a secret that would throw if it were touched.
 */
describe('a malformed code is refused without touching the stored secret', () => {
  it.each([
    ['7 digits', '1234567'],
    ['5 digits', '12345'],
    ['a letter first', 'a12345'],
    ['a letter last', '12345a'],
    ['letters only', 'abcdef'],
  ])('%s', async (_name, code) => {
    await expect(checkTotpCode({ secret: corruptSecret, code, params, now, lastStep: -1 })).resolves.toEqual({ matched: false });
  });

  it('while a well-formed code does reach it (and a corrupt secret is INTERNAL, its text not quoted)', async () => {
    const error: unknown = await checkTotpCode({ secret: corruptSecret, code: '123456', params, now, lastStep: -1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'Stored TOTP secret is malformed' });
  });
});

describe('stored secrets are decoded leniently in case and padding, strictly otherwise', () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  it('decodes lower case and RFC 4648 padding to the same key', async () => {
    expect(decodeTotpSecret(secret.toLowerCase())).toEqual(decodeTotpSecret(secret));
    expect(decodeTotpSecret(`${secret}======`)).toEqual(decodeTotpSecret(secret));
    const code = await generateTotpCode({ secret, params, at: now });
    await expect(checkTotpCode({ secret: `${secret.toLowerCase()}======`, code, params, now, lastStep: -1 })).resolves.toMatchObject({ matched: true });
  });

  it('refuses padding in the middle', () => {
    expect(() => decodeTotpSecret('JBSWY3DP==EHPK3PXP')).toThrow('Stored TOTP secret is malformed');
  });
});
