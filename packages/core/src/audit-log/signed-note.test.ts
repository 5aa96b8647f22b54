import { createHash, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { auditLeafHash, emptyMerkleRoot, merkleRoot } from './merkle';
import { auditKeyId, checkpointNote, openNote, openSignedNote, parseVerifierKey, signNote, verifierKey } from './signed-note';

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const base64Of = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** An Ed25519 private key from its 32-byte seed (PKCS#8 wrapper of RFC 8410). */
function ed25519FromSeed(seed: Uint8Array): KeyObject {
  const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([pkcs8Prefix, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const { x } = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(x ?? '', 'base64url'));
}

// golang.org/x/mod/sumdb/note's published example (note.go doc comment and note_test.go): the
// signer key, the text and the signed note Go's note.Sign writes. Ed25519 is deterministic (RFC
// 8032), so producing the same bytes shows our format is the one Go's note.Open verifies.
const goSignerKey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const goVerifierKey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const goNote = `${goText}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const goPrivateKey = ed25519FromSeed(Buffer.from(goSignerKey.split('+').slice(4).join('+'), 'base64').subarray(1));

const origin = 'holdfast.test/audit';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const rootHash = merkleRoot([auditLeafHash(Uint8Array.of(1)), auditLeafHash(Uint8Array.of(2)), auditLeafHash(Uint8Array.of(3))]);
const body = checkpointNote({ origin, treeSize: 3, rootHash });
const note = signNote({ body, keyName: origin, privateKey });

/** A signature line over `text` by `key` under `name` (as a witness or a rotated key would add). */
function signatureLine(text: string, name: string, key: KeyObject): string {
  return signNote({ body: text, keyName: name, privateKey: key }).slice(text.length + 1);
}

/** The same bytes spelled with non-zero padding bits (base64 decoders accept it; a strict one must not). */
function nonCanonicalPadding(blob: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lastData = blob.length - 2; // 68 bytes: one '=' of padding, the char before it carries 2 spare bits
  const value = alphabet.indexOf(blob.charAt(lastData));
  return `${blob.slice(0, lastData)}${alphabet.charAt(value | 1)}${blob.slice(lastData + 1)}`;
}

describe('interoperability with the Go reference (golang.org/x/mod/sumdb/note)', () => {
  it('signs the published example byte for byte', () => {
    expect(signNote({ body: goText, keyName: 'PeterNeumann', privateKey: goPrivateKey })).toBe(goNote);
  });

  it('prints the published verifier key and opens the published note with it', () => {
    expect(verifierKey('PeterNeumann', createPublicKey(goPrivateKey))).toBe(goVerifierKey);
    const parsed = parseVerifierKey(goVerifierKey);
    expect(parsed?.keyName).toBe('PeterNeumann');
    expect(hexOf(parsed?.keyId ?? new Uint8Array())).toBe('c74f20a3');
    expect(openNote({ note: goNote, keyName: 'PeterNeumann', publicKey: parsed?.publicKey ?? publicKey })).toBe(goText);
    expect(openNote({ note: goNote.replace('cryptography', 'cryptographY'), keyName: 'PeterNeumann', publicKey: parsed?.publicKey ?? publicKey })).toBeNull();
  });

  it('accepts other published verifier keys (their ids match our key-id computation), a "+" in the base64 included', () => {
    for (const vkey of [
      'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop',
      'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
      'TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6',
    ]) {
      const parsed = parseVerifierKey(vkey);
      expect(parsed, vkey).not.toBeNull();
      if (parsed !== null) expect(verifierKey(parsed.keyName, parsed.publicKey)).toBe(vkey);
    }
  });
});

describe('key ids and verifier keys', () => {
  it('computes the C2SP key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]', () => {
    const byHand = createHash('sha256')
      .update(Buffer.concat([Buffer.from(origin, 'utf8'), Buffer.from([0x0a, 0x01]), rawPublicKey(publicKey)]))
      .digest()
      .subarray(0, 4);
    expect(hexOf(auditKeyId(origin, publicKey))).toBe(byHand.toString('hex'));
    // The private key names the same key.
    expect(auditKeyId(origin, privateKey)).toEqual(auditKeyId(origin, publicKey));
    // The name is part of the id.
    expect(auditKeyId(`${origin}2`, publicKey)).not.toEqual(auditKeyId(origin, publicKey));
  });

  it('round-trips a verifier key and refuses mangled ones', () => {
    const vkey = verifierKey(origin, publicKey);
    expect(vkey).toBe(`${origin}+${hexOf(auditKeyId(origin, publicKey))}+${base64Of(Uint8Array.of(1, ...rawPublicKey(publicKey)))}`);
    const parsed = parseVerifierKey(vkey);
    expect(parsed?.keyName).toBe(origin);
    expect(openSignedNote({ note, keyName: origin, publicKey: parsed?.publicKey ?? other.publicKey })).not.toBeNull();
    const name = origin;
    const id = hexOf(auditKeyId(origin, publicKey));
    const material = base64Of(Uint8Array.of(1, ...rawPublicKey(publicKey)));
    const wrongType = base64Of(Uint8Array.of(2, ...rawPublicKey(publicKey)));
    for (const mangled of [
      `${name}+00000000+${material}`,
      `${name}x+${id}+${material}`,
      `${name}+${id}+${wrongType}`,
      `${name}+${id}+${material.slice(0, -4)}`,
      `${name}+${id}`,
      `bad name+${id}+${material}`,
      `+${id}+${material}`,
      '',
    ]) {
      expect(parseVerifierKey(mangled), mangled).toBeNull();
    }
  });

  it('refuses key names C2SP forbids and keys that are not Ed25519', () => {
    for (const keyName of ['', 'with space', 'a+b', 'tab\tname', 'nbsp\u00a0name']) {
      expect(() => auditKeyId(keyName, publicKey), JSON.stringify(keyName)).toThrow(/key names/u);
    }
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => auditKeyId(origin, ec.publicKey)).toThrow(/Ed25519/u);
    expect(() => signNote({ body, keyName: origin, privateKey: ec.privateKey })).toThrow(/Ed25519/u);
    expect(() => signNote({ body, keyName: origin, privateKey: publicKey })).toThrow(/Ed25519 private key/u);
  });
});

describe('checkpoints', () => {
  it('writes the C2SP checkpoint and signed-note layout', () => {
    expect(body).toBe(`${origin}\n3\n${base64Of(rootHash)}\n`);
    const lines = note.split('\n');
    expect(lines.slice(0, 4)).toEqual([origin, '3', base64Of(rootHash), '']);
    expect(lines[4]).toMatch(new RegExp(`^\u2014 ${origin.replace('.', '\\.')} [A-Za-z0-9+/]{91}=$`, 'u'));
    expect(lines[5]).toBe('');
    const blob = Buffer.from((lines[4] ?? '').split(' ')[2] ?? '', 'base64');
    expect(hexOf(blob.subarray(0, 4))).toBe(hexOf(auditKeyId(origin, publicKey)));
    // The rest is a plain Ed25519 signature over the body: Ed25519 is deterministic.
    expect(hexOf(blob.subarray(4))).toBe(sign(null, Buffer.from(body), privateKey).toString('hex'));
  });

  it('round-trips, the empty tree and extension lines included', () => {
    expect(openSignedNote({ note, keyName: origin, publicKey })).toEqual({ origin, treeSize: 3, rootHash, extensions: [] });
    expect(openSignedNote({ note, keyName: origin, publicKey, origin })).not.toBeNull();
    const empty = signNote({ body: checkpointNote({ origin, treeSize: 0, rootHash: emptyMerkleRoot() }), keyName: origin, privateKey });
    expect(openSignedNote({ note: empty, keyName: origin, publicKey })).toEqual({ origin, treeSize: 0, rootHash: emptyMerkleRoot(), extensions: [] });
    const extended = checkpointNote({ origin, treeSize: 3, rootHash, extensions: ['time 1772366400123', 'pruned-below 0'] });
    expect(extended).toBe(`${body}time 1772366400123\npruned-below 0\n`);
    expect(openSignedNote({ note: signNote({ body: extended, keyName: origin, privateKey }), keyName: origin, publicKey })?.extensions).toEqual([
      'time 1772366400123',
      'pruned-below 0',
    ]);
  });

  it('fails for an edited size, root or origin, another key, or another expected origin', () => {
    const otherRoot = base64Of(emptyMerkleRoot());
    const edits = [
      note.replace('\n3\n', '\n4\n'),
      note.replace('\n3\n', '\n2\n'),
      note.replace(base64Of(rootHash), otherRoot),
      note.replace(origin, 'holdfast.test/audiT'),
      note.replace(`${base64Of(rootHash)}\n`, `${base64Of(rootHash)}\nextra\n`),
    ];
    for (const edited of edits) expect(openSignedNote({ note: edited, keyName: origin, publicKey }), edited).toBeNull();
    expect(openSignedNote({ note, keyName: origin, publicKey: other.publicKey })).toBeNull();
    expect(openSignedNote({ note, keyName: 'holdfast.test/other', publicKey })).toBeNull();
    expect(openSignedNote({ note, keyName: origin, publicKey, origin: 'holdfast.test/other' })).toBeNull();
    // A private key where a public one belongs is a caller bug, answered as "not verified".
    expect(openSignedNote({ note, keyName: origin, publicKey: privateKey })).toBeNull();
  });

  it('ignores signatures by unknown keys, even one sharing our name or our key id, but needs one of ours', () => {
    const withWitness = note + signatureLine(body, 'witness.example/w1', other.privateKey);
    expect(openSignedNote({ note: withWitness, keyName: origin, publicKey })).toEqual({ origin, treeSize: 3, rootHash, extensions: [] });
    // Same name, another key (a rotated-out log key): ignored.
    const sameName = note + signatureLine(body, origin, other.privateKey);
    expect(openSignedNote({ note: sameName, keyName: origin, publicKey })).not.toBeNull();
    // Only unknown keys: rejected.
    const onlyWitness = `${body}\n${signatureLine(body, 'witness.example/w1', other.privateKey)}`;
    expect(openSignedNote({ note: onlyWitness, keyName: origin, publicKey })).toBeNull();
    // The witness's own view of the same note: its line verifies, ours is unknown to it.
    expect(openSignedNote({ note: withWitness, keyName: 'witness.example/w1', publicKey: other.publicKey })?.treeSize).toBe(3);
  });

  it('rejects the whole note when a line by our key does not verify, even beside a good one', () => {
    const goodLine = note.slice(body.length + 1);
    const blob = Buffer.from(goodLine.trimEnd().split(' ')[2] ?? '', 'base64');
    blob[10] = (blob[10] ?? 0) ^ 1;
    const badLine = `\u2014 ${origin} ${blob.toString('base64')}\n`;
    expect(openSignedNote({ note: `${note}${badLine}`, keyName: origin, publicKey })).toBeNull();
    expect(openSignedNote({ note: `${body}\n${badLine}`, keyName: origin, publicKey })).toBeNull();
  });

  it('returns null, never throws, for malformed notes', () => {
    const goodLine = note.slice(body.length + 1);
    const blob = goodLine.trimEnd().split(' ')[2] ?? '';
    const malformed = [
      '',
      body,
      `${body}\n`,
      note.slice(0, -1),
      note.replace('\n\n', '\n'),
      note.replace('\u2014', '-'),
      note.replace('\u2014 ', '\u2014  '),
      `${body}\n\u2014 ${origin} ${blob.slice(0, -2)}\n`,
      `${body}\n\u2014 ${origin} ${blob.replace(/=$/u, '')}\n`,
      `${body}\n\u2014 ${origin} ${nonCanonicalPadding(blob)}\n`,
      `${body}\n\u2014 ${origin} AAAA\n`,
      `${body}\n\u2014 ${origin}\n`,
      `${body}\n${goodLine}\n`,
      note.replace('\n3\n', '\n3\r\n'),
      note.replace(origin, `${origin}\u0000`),
      `${'x'.repeat(70_000)}\n${note}`,
      `${body}\n${goodLine.repeat(101)}`,
    ];
    for (const candidate of malformed) {
      expect(() => openSignedNote({ note: candidate, keyName: origin, publicKey })).not.toThrow();
      expect(openSignedNote({ note: candidate, keyName: origin, publicKey }), JSON.stringify(candidate.slice(0, 200))).toBeNull();
    }
    expect(openSignedNote({ note: 42 as unknown as string, keyName: origin, publicKey })).toBeNull();
    expect(openSignedNote({ note, keyName: origin, publicKey: createSecretKey(Buffer.alloc(32)) })).toBeNull();
  });

  it('rejects signed bodies that are not C2SP checkpoints', () => {
    const root = base64Of(rootHash);
    const bodies = [
      `${origin}\n03\n${root}\n`,
      `${origin}\n-1\n${root}\n`,
      `${origin}\n9007199254740993\n${root}\n`,
      `${origin}\n3\n${base64Of(new Uint8Array(33))}\n`,
      `${origin}\n3\n${root.replace(/=$/u, '')}\n`,
      `${origin}\n3\n`,
      `\n3\n${root}\n`,
      `${origin}\n3\n${root}\n\nafter-empty-line\n`,
    ];
    for (const candidate of bodies) {
      const signed = signNote({ body: candidate, keyName: origin, privateKey });
      expect(openNote({ note: signed, keyName: origin, publicKey }), candidate).not.toBeNull();
      expect(openSignedNote({ note: signed, keyName: origin, publicKey }), candidate).toBeNull();
    }
  });

  it('refuses to write a checkpoint it could not read back', () => {
    const bad = [
      { origin: '', treeSize: 1, rootHash },
      { origin: 'with space', treeSize: 1, rootHash },
      { origin: 'a+b', treeSize: 1, rootHash },
      { origin: 'two\nlines', treeSize: 1, rootHash },
      { origin, treeSize: -1, rootHash },
      { origin, treeSize: 1.5, rootHash },
      { origin, treeSize: 2 ** 53, rootHash },
      { origin, treeSize: 1, rootHash: rootHash.subarray(0, 31) },
      { origin, treeSize: 1, rootHash, extensions: [''] },
      { origin, treeSize: 1, rootHash, extensions: ['a\nb'] },
    ];
    for (const input of bad) expect(() => checkpointNote(input), JSON.stringify(input.origin)).toThrow();
    for (const text of ['', '\n', 'no final newline', 'control \u0007 char\n', 'lone \ud800 surrogate\n']) {
      expect(() => signNote({ body: text, keyName: origin, privateKey }), JSON.stringify(text)).toThrow(/note body/u);
    }
  });
});
