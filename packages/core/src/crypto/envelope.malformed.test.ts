import { describe, expect, it } from 'vitest';

import { deterministicRandom } from '../test-support/deterministic-random';
import { openAesGcm } from './aes-gcm';
import { decryptSecret } from './decrypt-secret';
import { encryptSecret } from './encrypt-secret';
import { testKeyring } from './test-keyring';

const keyring = testKeyring({ active: 'k1', keys: { k1: 1, k2: 2 } });
const aad = 'factor:f1';
const envelope = encryptSecret({ keyring, plaintext: 'JBSWY3DPEHPK3PXP', aad, random: deterministicRandom('malformed') });
const [version = '', keyId = '', wrapIv = '', wrappedKey = '', iv = '', ciphertext = ''] = envelope.split('.');

/** `bytes` as canonical base64url, so only its length is wrong. */
const b64 = (bytes: number): string => Buffer.alloc(bytes, 7).toString('base64url');

/**
 * Structural faults are caught by the parser — before any key is looked up or any decryption is
 * tried — and reported as a malformed envelope (stored state is corrupt), not as a failed decryption.
 */
describe('a structurally malformed envelope is refused before decryption', () => {
  it.each([
    ['a wrap iv of 11 bytes', [version, keyId, b64(11), wrappedKey, iv, ciphertext]],
    ['a wrap iv of 16 bytes', [version, keyId, b64(16), wrappedKey, iv, ciphertext]],
    ['a wrapped key of 47 bytes', [version, keyId, wrapIv, b64(47), iv, ciphertext]],
    ['an iv of 16 bytes', [version, keyId, wrapIv, wrappedKey, b64(16), ciphertext]],
    ['a ciphertext shorter than its tag', [version, keyId, wrapIv, wrappedKey, iv, b64(15)]],
    ['a key id the keyring format does not allow', [version, 'k!1', wrapIv, wrappedKey, iv, ciphertext]],
    ['an empty part', [version, keyId, '', wrappedKey, iv, ciphertext]],
    ['a seventh part', [version, keyId, wrapIv, wrappedKey, iv, ciphertext, 'x']],
  ])('%s', (_name, parts) => {
    expect(() => decryptSecret({ keyring, envelope: parts.join('.'), aad })).toThrow('Encrypted secret is malformed');
  });

  it('a ciphertext exactly as long as its tag is well formed (an empty secret)', () => {
    const empty = encryptSecret({ keyring, plaintext: '', aad, random: deterministicRandom('empty') });
    expect(Buffer.from(empty.split('.')[5] ?? '', 'base64url')).toHaveLength(16);
    expect(decryptSecret({ keyring, envelope: empty, aad })).toBe('');
  });
});

describe('key lookup faults name the key id', () => {
  it('an envelope under a key the keyring lost', () => {
    const lost = [version, 'k9', wrapIv, wrappedKey, iv, ciphertext].join('.');
    expect(() => decryptSecret({ keyring, envelope: lost, aad })).toThrow('Encryption key "k9" is not in the keyring');
  });

  it('a hand-built keyring holding a key of the wrong length', () => {
    const handBuilt = { activeKeyId: 'k1', keys: new Map([['k1', new Uint8Array(16)]]) };
    expect(() => decryptSecret({ keyring: handBuilt, envelope, aad })).toThrow(
      expect.objectContaining({ code: 'INTERNAL', message: 'Encryption key "k1" has the wrong length' }),
    );
  });
});

describe('a failed decryption keeps its cause for the logs, not for the caller', () => {
  it('wraps the crypto error as the cause of one opaque INTERNAL error', () => {
    try {
      openAesGcm({ key: new Uint8Array(32), iv: new Uint8Array(12), sealed: new Uint8Array(32), aad: new Uint8Array(0) });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'INTERNAL', message: 'Encrypted secret could not be decrypted' });
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
  });
});

describe('the wrapped data key is bound to its key id, not only to the key bytes', () => {
  it('refuses an envelope relabelled to another key id even when both ids hold the same key', () => {
    const twins = testKeyring({ active: 'k1', keys: { k1: 5, k2: 5 } });
    const sealed = encryptSecret({ keyring: twins, plaintext: 'JBSWY3DPEHPK3PXP', aad, random: deterministicRandom('twins') });
    const relabelled = sealed.replace(/^hf1\.k1\./, 'hf1.k2.');
    expect(relabelled).not.toBe(sealed);
    expect(() => decryptSecret({ keyring: twins, envelope: relabelled, aad })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(decryptSecret({ keyring: twins, envelope: sealed, aad })).toBe('JBSWY3DPEHPK3PXP');
  });
});
