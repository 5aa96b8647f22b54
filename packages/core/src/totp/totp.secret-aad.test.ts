import { describe, expect, it } from 'vitest';

import { decryptSecret } from '../crypto/decrypt-secret';
import { encryptSecret } from '../crypto/encrypt-secret';
import { testKeyring } from '../crypto/test-keyring';
import { deterministicRandom } from '../test-support/deterministic-random';
import { totpSecretAad } from './totp-secret-aad';

const factorA = '6f1c1b2e-8f5a-4c1e-9d43-1a2b3c4d5e6f';
const factorB = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';

describe('TOTP secrets bound to their factor (invariant 6)', () => {
  it('keeps the stored AAD format: every secret at rest was encrypted with it', () => {
    expect(totpSecretAad(factorA)).toBe(`totp:${factorA}`);
  });

  it('does not decrypt a ciphertext copied to another factor', () => {
    const keyring = testKeyring({ active: 'k1', keys: { k1: 7 } });
    const envelope = encryptSecret({ keyring, plaintext: 'JBSWY3DPEHPK3PXP', aad: totpSecretAad(factorA), random: deterministicRandom('aad') });
    expect(decryptSecret({ keyring, envelope, aad: totpSecretAad(factorA) })).toBe('JBSWY3DPEHPK3PXP');
    expect(() => decryptSecret({ keyring, envelope, aad: totpSecretAad(factorB) })).toThrow();
  });
});
