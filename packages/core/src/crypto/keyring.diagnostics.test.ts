import { describe, expect, it } from 'vitest';

import { parseKeyring } from './keyring';
import { testKey } from './test-keyring';

/**
 * A keyring is operator configuration read at startup: a bad one must stop the process with the
 * diagnosis of *that* fault (which entry, what is wrong), not with a later check's confusing one.
 */
describe('keyring configuration: each fault is named precisely', () => {
  it.each([
    ['an empty list', '', 'k1', 'Keyring is empty: expected "kid:base64key[,kid:base64key…]"'],
    ['only separators and spaces', ' , ,', 'k1', 'Keyring is empty'],
    ['an entry without a colon (the second)', `k1:${testKey(1)},${testKey(2)}`, 'k1', 'Keyring entry 2 is not of the form "kid:base64key"'],
    ['an entry starting with its colon (no key id)', `:${testKey(1)}`, 'k1', 'Keyring entry 1 has an invalid key id'],
    [
      'an invalid key id (the second)',
      `k1:${testKey(1)},k.2:${testKey(2)}`,
      'k1',
      'Keyring entry 2 has an invalid key id (allowed: [A-Za-z0-9_-], 1-32 chars)',
    ],
    ['a duplicate key id', `k1:${testKey(1)},k1:${testKey(2)}`, 'k1', 'Keyring key id "k1" appears more than once'],
    ['a 16-byte key', `k1:${Buffer.alloc(16, 1).toString('base64')}`, 'k1', 'Keyring key "k1" must be exactly 32 bytes of standard base64'],
    ['non-base64 key material', `k1:${'!'.repeat(44)}`, 'k1', 'Keyring key "k1" must be exactly 32 bytes'],
    ['a stray character before the key', `k1:!${testKey(1)}`, 'k1', 'Keyring key "k1" must be exactly 32 bytes of standard base64'],
    ['a stray character after the padding', `k1:${testKey(1)}!`, 'k1', 'Keyring key "k1" must be exactly 32 bytes of standard base64'],
    ['a missing active key', `k1:${testKey(1)}`, 'k2', 'Active key id "k2" is not in the keyring'],
  ])('rejects %s', (_name, keys, activeKeyId, message) => {
    expect(() => parseKeyring({ keys, activeKeyId })).toThrow(message);
  });

  it('accepts a key written without its base64 padding', () => {
    const unpadded = testKey(3).replace(/=+$/, '');
    expect(unpadded).toHaveLength(43);
    expect(parseKeyring({ keys: `k1:${unpadded}`, activeKeyId: 'k1' }).keys.get('k1')).toEqual(new Uint8Array(32).fill(3));
  });

  it('tolerates spaces around entries, ids and keys, and empty entries between them', () => {
    const keyring = parseKeyring({ keys: ` k1 : ${testKey(1)} ,, k2:${testKey(2)} `, activeKeyId: 'k2' });
    expect([...keyring.keys.keys()]).toEqual(['k1', 'k2']);
    expect(keyring.keys.get('k1')).toEqual(new Uint8Array(32).fill(1));
    expect(keyring.keys.get('k2')).toEqual(new Uint8Array(32).fill(2));
  });
});
