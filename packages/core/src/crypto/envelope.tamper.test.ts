import { describe, expect, it } from 'vitest';

import { isHoldfastError } from '../errors';
import { deterministicRandom } from '../test-support/deterministic-random';
import { decryptSecret } from './decrypt-secret';
import { encryptSecret } from './encrypt-secret';
import { testKeyring } from './test-keyring';

const keyring = testKeyring({ active: 'k1', keys: { k1: 1, k2: 2 } });
const plaintext = 'JBSWY3DPEHPK3PXP';
const envelope = encryptSecret({ keyring, plaintext, aad: 'factor:f1', random: deterministicRandom('tamper') });

function decryptError(candidate: string, aad = 'factor:f1'): unknown {
  try {
    decryptSecret({ keyring, envelope: candidate, aad });
    return null;
  } catch (error) {
    return error;
  }
}

function expectInternalWithoutSecrets(error: unknown): void {
  expect(isHoldfastError(error)).toBe(true);
  if (isHoldfastError(error)) {
    expect(error.code).toBe('INTERNAL');
    expect(error.message).not.toContain(plaintext);
  }
}

/** Changes one base64url character to a different one. */
function flipChar(text: string, index: number): string {
  const current = text.charAt(index);
  const replacement = current === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('envelope tampering is detected', () => {
  const parts = envelope.split('.');

  for (const [index, name] of ['wrap iv', 'wrapped key', 'iv', 'ciphertext'].entries()) {
    const partIndex = index + 2;
    it(`rejects a changed ${name} (first, middle and last character)`, () => {
      const part = parts[partIndex] ?? '';
      for (const position of [0, Math.floor(part.length / 2), part.length - 1]) {
        const tampered = [...parts];
        tampered[partIndex] = flipChar(part, position);
        expectInternalWithoutSecrets(decryptError(tampered.join('.')));
      }
    });
  }

  it('rejects a key id swapped for another key in the keyring (the wrap is bound to its id)', () => {
    const tampered = [...parts];
    tampered[1] = 'k2';
    expectInternalWithoutSecrets(decryptError(tampered.join('.')));
  });

  it('rejects an unknown key id', () => {
    const tampered = [...parts];
    tampered[1] = 'k9';
    const error = decryptError(tampered.join('.'));
    expectInternalWithoutSecrets(error);
  });

  it('rejects a non-canonical base64url spelling that decodes to the same bytes', () => {
    // 32 ciphertext bytes take 43 characters; the last one carries 4 unused bits, which a lenient
    // decoder ignores. Toggling one of them must still count as tampering.
    const ciphertext = parts[5] ?? '';
    expect(ciphertext).toHaveLength(43);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(ciphertext.charAt(42));
    const sameBytes = ciphertext.slice(0, 42) + alphabet.charAt(last ^ 1);
    expect(Buffer.from(sameBytes, 'base64url')).toEqual(Buffer.from(ciphertext, 'base64url'));
    expectInternalWithoutSecrets(decryptError([...parts.slice(0, 5), sameBytes].join('.')));
  });

  it('rejects a wrong version tag', () => {
    expectInternalWithoutSecrets(decryptError(envelope.replace(/^hf1/, 'hf2')));
  });

  it('rejects a wrong aad (ciphertext moved to another factor)', () => {
    expectInternalWithoutSecrets(decryptError(envelope, 'factor:f2'));
  });

  it.each([
    ['empty', ''],
    ['truncated', parts.slice(0, 5).join('.')],
    ['extra part', `${envelope}.AAAA`],
    ['non-base64url characters', envelope.replace(/\.([A-Za-z0-9_-])/, '.+')],
    ['ciphertext cut short', [...parts.slice(0, 5), 'AAAA'].join('.')],
    ['garbage', 'not an envelope'],
  ])('rejects a malformed envelope (%s)', (_name, candidate) => {
    expectInternalWithoutSecrets(decryptError(candidate));
  });
});
