import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { decryptSecret } from './decrypt-secret';
import { encryptSecret } from './encrypt-secret';
import { envelopeKeyId } from './envelope-format';
import { testKeyring } from './test-keyring';

const keyring = testKeyring({ active: 'k1', keys: { k1: 1 } });
const plaintext = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe('envelope encryption round trip', () => {
  it('decrypts to the original plaintext with the same aad', () => {
    const envelope = encryptSecret({ keyring, plaintext, aad: 'factor:f1', random: deterministicRandom('rt') });
    expect(decryptSecret({ keyring, envelope, aad: 'factor:f1' })).toBe(plaintext);
  });

  it('round-trips empty and non-ASCII plaintexts', () => {
    for (const text of ['', 'päss wörd ✓']) {
      const envelope = encryptSecret({ keyring, plaintext: text, aad: 'a', random: deterministicRandom(text) });
      expect(decryptSecret({ keyring, envelope, aad: 'a' })).toBe(text);
    }
  });

  it('has the documented layout and names its key id', () => {
    const envelope = encryptSecret({ keyring, plaintext, aad: 'factor:f1', random: deterministicRandom('layout') });
    expect(envelope).toMatch(/^hf1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{64}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(envelopeKeyId(envelope)).toBe('k1');
  });

  it('never contains the plaintext, in clear or base64', () => {
    const envelope = encryptSecret({ keyring, plaintext, aad: 'factor:f1', random: deterministicRandom('leak') });
    expect(envelope).not.toContain(plaintext);
    expect(envelope).not.toContain(Buffer.from(plaintext).toString('base64url').slice(0, 16));
  });

  it('uses fresh randomness per encryption: the same secret encrypts differently', () => {
    const random = deterministicRandom('fresh');
    const a = encryptSecret({ keyring, plaintext, aad: 'x', random });
    const b = encryptSecret({ keyring, plaintext, aad: 'x', random });
    expect(a).not.toBe(b);
  });
});
