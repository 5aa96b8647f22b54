import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { buildOtpauthUri } from './otpauth-uri';
import { createTotpSecret } from './totp-secret';

describe('TOTP secret creation', () => {
  it.each([
    ['SHA1', 20],
    ['SHA256', 32],
    ['SHA512', 64],
  ] as const)('creates a %s secret of %i bytes, base32 without padding', (algorithm, bytes) => {
    const secret = createTotpSecret({ random: deterministicRandom(algorithm), algorithm });
    expect(secret).toMatch(/^[A-Z2-7]+$/);
    expect(secret).toHaveLength(Math.ceil((bytes * 8) / 5));
  });

  it('takes its bytes from the injected random source', () => {
    const zeros = createTotpSecret({ random: (size) => new Uint8Array(size), algorithm: 'SHA1' });
    expect(zeros).toBe('A'.repeat(32));
  });

  it('refuses a random source that returns too few bytes', () => {
    expect(() => createTotpSecret({ random: () => new Uint8Array(4), algorithm: 'SHA1' })).toThrow(/wrong number/);
  });
});

describe('otpauth URI', () => {
  it('includes every parameter so apps never fall back to guesses', () => {
    const uri = buildOtpauthUri({
      issuer: 'Holdfast',
      accountName: 'alice@example.com',
      secret: 'JBSWY3DPEHPK3PXP',
      params: { algorithm: 'SHA256', digits: 8, period: 60 },
    });
    expect(uri).toBe('otpauth://totp/Holdfast:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Holdfast&algorithm=SHA256&digits=8&period=60');
  });

  it('escapes colons, spaces and ampersands so the label and query cannot be split wrongly', () => {
    const uri = buildOtpauthUri({
      issuer: 'Acme: R&D',
      accountName: 'bob smith',
      secret: 'JBSWY3DPEHPK3PXP',
      params: { algorithm: 'SHA1', digits: 6, period: 30 },
    });
    const url = new URL(uri);
    expect(url.host).toBe('totp');
    expect(url.pathname).toBe('/Acme%3A%20R%26D:bob%20smith');
    expect(url.searchParams.get('issuer')).toBe('Acme: R&D');
    expect(uri).not.toContain('+');
  });
});
