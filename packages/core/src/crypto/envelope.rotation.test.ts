import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { decryptSecret } from './decrypt-secret';
import { encryptSecret } from './encrypt-secret';
import { envelopeKeyId } from './envelope-format';
import { rewrapSecret } from './rewrap-secret';
import { testKeyring } from './test-keyring';

const plaintext = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const aad = 'factor:f1';

describe('key rotation by rewrapping the data key', () => {
  const before = testKeyring({ active: 'k1', keys: { k1: 1 } });
  const during = testKeyring({ active: 'k2', keys: { k1: 1, k2: 2 } });
  const after = testKeyring({ active: 'k2', keys: { k2: 2 } });
  const random = deterministicRandom('rotation');
  const original = encryptSecret({ keyring: before, plaintext, aad, random });

  it('still decrypts old envelopes while the old key is kept', () => {
    expect(decryptSecret({ keyring: during, envelope: original, aad })).toBe(plaintext);
  });

  it('moves the envelope to the active key and keeps the plaintext', () => {
    const rewrapped = rewrapSecret({ keyring: during, envelope: original, random });
    expect(envelopeKeyId(rewrapped)).toBe('k2');
    expect(decryptSecret({ keyring: during, envelope: rewrapped, aad })).toBe(plaintext);
  });

  it('decrypts after the old key is removed from the keyring', () => {
    const rewrapped = rewrapSecret({ keyring: during, envelope: original, random });
    expect(decryptSecret({ keyring: after, envelope: rewrapped, aad })).toBe(plaintext);
    expect(() => decryptSecret({ keyring: after, envelope: original, aad })).toThrow();
  });

  it('leaves the encrypted secret itself untouched (only the wrapped key changes)', () => {
    const rewrapped = rewrapSecret({ keyring: during, envelope: original, random });
    expect(rewrapped.split('.').slice(4)).toEqual(original.split('.').slice(4));
  });

  it('returns an envelope already under the active key unchanged', () => {
    const current = encryptSecret({ keyring: during, plaintext, aad, random });
    expect(rewrapSecret({ keyring: during, envelope: current, random })).toBe(current);
  });

  it('refuses to rewrap a tampered envelope', () => {
    const [version, kid, wrapIv, wrappedKey = '', ...rest] = original.split('.');
    const flipped = (wrappedKey.startsWith('A') ? 'B' : 'A') + wrappedKey.slice(1);
    const tampered = [version, kid, wrapIv, flipped, ...rest].join('.');
    expect(() => rewrapSecret({ keyring: during, envelope: tampered, random })).toThrow();
  });
});
