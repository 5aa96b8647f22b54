import { checkpointNote, openSignedNote, signNote } from '@holdfast/core';
import { generateKeyPairSync, type KeyPairKeyObjectResult } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPruneMark, signPruneMark } from './retention-mark';

const keyName = 'holdfast.audit/00000000-0000-4000-8000-000000000001';
const rootHash = new Uint8Array(32).fill(7);

const keyPair = (): KeyPairKeyObjectResult => generateKeyPairSync('ed25519');

describe('prune marks (signed "pruned below N" checkpoints)', () => {
  it('opens a mark its key signed; other tools read it as the checkpoint of that tree head', () => {
    const key = keyPair();
    const note = signPruneMark({ key: { keyName, privateKey: key.privateKey }, treeSize: 40, rootHash, prunedBelow: 12 });
    expect(note).toContain('\n40\n');
    expect(note).toContain('\npruned-below 12\n');
    expect(openPruneMark({ note, keyName, publicKey: key.publicKey })).toEqual({ treeSize: 40, rootHash, prunedBelow: 12 });
    expect(openSignedNote({ note, keyName, publicKey: key.publicKey })).toMatchObject({ origin: keyName, treeSize: 40, extensions: ['pruned-below 12'] });
  });

  it('authorises nothing when another key signed it, it is a plain checkpoint, or its line is malformed or out of range', () => {
    const key = keyPair();
    const other = keyPair();
    const forged = signPruneMark({ key: { keyName, privateKey: other.privateKey }, treeSize: 40, rootHash, prunedBelow: 12 });
    expect(openPruneMark({ note: forged, keyName, publicKey: key.publicKey })).toBeNull();
    const sign = (extensions: string[], treeSize = 40, origin = keyName): string =>
      signNote({ body: checkpointNote({ origin, treeSize, rootHash, extensions }), keyName, privateKey: key.privateKey });
    expect(openPruneMark({ note: sign([]), keyName, publicKey: key.publicKey })).toBeNull();
    for (const line of ['pruned-below 0', 'pruned-below 41', 'pruned-below 012', 'pruned-below -1', 'pruned-below 12 ']) {
      expect(openPruneMark({ note: sign([line]), keyName, publicKey: key.publicKey })).toBeNull();
    }
    expect(openPruneMark({ note: sign(['pruned-below 12', 'pruned-below 13']), keyName, publicKey: key.publicKey })).toBeNull();
    expect(openPruneMark({ note: sign(['pruned-below 12'], 40, 'another.log/x'), keyName, publicKey: key.publicKey })).toBeNull();
    // A changed byte in the signed text.
    const note = sign(['pruned-below 12']);
    expect(openPruneMark({ note: note.replace('pruned-below 12', 'pruned-below 13'), keyName, publicKey: key.publicKey })).toBeNull();
    expect(() => signPruneMark({ key: { keyName, privateKey: key.privateKey }, treeSize: 40, rootHash, prunedBelow: 41 })).toThrow();
  });
});
