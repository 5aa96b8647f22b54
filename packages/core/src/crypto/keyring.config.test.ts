import { describe, expect, it } from 'vitest';

import { parseKeyring } from './keyring';
import { testKey } from './test-keyring';

describe('keyring configuration', () => {
  it('parses several keys and the active id', () => {
    const keyring = parseKeyring({ keys: `k1:${testKey(1)}, k-2_b:${testKey(2)}`, activeKeyId: 'k-2_b' });
    expect(keyring.activeKeyId).toBe('k-2_b');
    expect([...keyring.keys.keys()]).toEqual(['k1', 'k-2_b']);
    expect(keyring.keys.get('k1')).toEqual(new Uint8Array(32).fill(1));
  });

  it.each([
    ['an empty list', '', 'k1'],
    ['an entry without a colon', testKey(1), 'k1'],
    ['an invalid key id', `k.1:${testKey(1)}`, 'k.1'],
    ['a key id longer than 32 characters', `${'k'.repeat(33)}:${testKey(1)}`, 'k'],
    ['a duplicate key id', `k1:${testKey(1)},k1:${testKey(2)}`, 'k1'],
    ['a 16-byte key', `k1:${Buffer.alloc(16, 1).toString('base64')}`, 'k1'],
    ['a 33-byte key', `k1:${Buffer.alloc(33, 1).toString('base64')}`, 'k1'],
    ['non-base64 key material', `k1:${'!'.repeat(44)}`, 'k1'],
    ['a missing active key', `k1:${testKey(1)}`, 'k2'],
  ])('rejects %s', (_name, keys, activeKeyId) => {
    expect(() => parseKeyring({ keys, activeKeyId })).toThrow(Error);
  });

  it('never puts key material in its error messages', () => {
    const material = Buffer.alloc(16, 7).toString('base64');
    try {
      parseKeyring({ keys: `k1:${material}`, activeKeyId: 'k1' });
      expect.unreachable();
    } catch (error) {
      expect(error instanceof Error && error.message).not.toContain(material);
    }
  });
});
