import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import type { RandomSource } from '../types';
import { openAesGcm } from './aes-gcm';
import { decryptSecret } from './decrypt-secret';
import { encryptSecret } from './encrypt-secret';
import { testKeyring } from './test-keyring';

const keyring = testKeyring({ active: 'k1', keys: { k1: 1 } });

describe('the data key does not outlive its use', () => {
  it('encryptSecret zeroes the data key it drew, and the envelope still decrypts', () => {
    const drawn: Uint8Array[] = [];
    const source = deterministicRandom('hygiene');
    const random: RandomSource = (size) => {
      const bytes = source(size);
      drawn.push(bytes);
      return bytes;
    };
    const envelope = encryptSecret({ keyring, plaintext: 'JBSWY3DPEHPK3PXP', aad: 'factor:f1', random });
    // The first draw is the 32-byte data key; the IVs are public and stay as they are.
    const [dek, wrapIv] = drawn;
    expect(dek).toEqual(new Uint8Array(32));
    expect(wrapIv?.some((byte) => byte !== 0)).toBe(true);
    expect(decryptSecret({ keyring, envelope, aad: 'factor:f1' })).toBe('JBSWY3DPEHPK3PXP');
  });
});

describe('openAesGcm', () => {
  it('refuses a sealed value shorter than its tag up front (no cipher error to wrap)', () => {
    try {
      openAesGcm({ key: new Uint8Array(32), iv: new Uint8Array(12), sealed: new Uint8Array(15), aad: new Uint8Array(0) });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INTERNAL', message: 'Encrypted secret could not be decrypted' });
      expect((error as Error).cause).toBeUndefined();
    }
  });
});
