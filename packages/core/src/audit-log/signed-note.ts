import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

import { HoldfastError } from '../errors';
import { auditHashLength } from './merkle';

/**
 * Checkpoints in the C2SP formats every transparency-log tool reads (c2sp.org/tlog-checkpoint,
 * c2sp.org/signed-note; the Go reference is golang.org/x/mod/sumdb/note):
 *
 *   holdfast.example/audit          ← origin: which log
 *   4711                            ← tree size, decimal, no leading zeros
 *   3q2+7w…=                        ← RFC 6962 root hash, standard base64
 *                                   ← one blank line
 *   — holdfast.example/audit AbCd…  ← em dash, key name, base64(4-byte key id ‖ Ed25519 signature)
 *
 * The signature covers the note text (the body, final newline included). Key id = the first four
 * bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key), 0x01 being the Ed25519
 * signature type. A verifier looks only at lines whose key name AND key id are its own key's:
 * other keys' lines are ignored (key rotation, witness cosignatures), a failing line by its own key
 * rejects the note, and a note with no verifying line by its key is rejected.
 *
 * So `holdfast audit verify` can be checked by tools we did not write: the signer side reproduces
 * the Go package's published example note byte for byte (signed-note.test.ts).
 */

/** C2SP signature type byte for Ed25519. */
const ed25519SignatureType = 0x01;
const ed25519SignatureLength = 64;
const ed25519PublicKeyLength = 32;
/** C2SP: verifiers MUST accept at least 16 signatures; the Go verifier stops at 100. */
const maxSignatureLines = 100;
/** A checkpoint is ~150 bytes; anything near this is not one of ours. */
const maxNoteLength = 64 * 1024;
const emDash = '\u2014';

export interface AuditCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  /**
   * C2SP extension lines after the root (opaque, non-empty; e.g. a time or a "pruned below"
   * marker). Signed with the rest, but ignored by other tools' log monitors. Usually empty.
   */
  extensions: string[];
}

/** The checkpoint body (note text) for a tree head; sign it with signNote. */
export function checkpointNote({
  origin,
  treeSize,
  rootHash,
  extensions = [],
}: {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}): string {
  // The origin is the key name too (C2SP: the log's key name SHOULD match its origin), so it
  // follows key-name rules: non-empty, no spaces, no '+'.
  if (!isKeyName(origin)) throw new HoldfastError('BAD_REQUEST', 'Checkpoint origin must be non-empty text without spaces, "+" or control characters');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new HoldfastError('BAD_REQUEST', 'Checkpoint tree size must be a non-negative safe integer');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== auditHashLength) {
    throw new HoldfastError('BAD_REQUEST', `Checkpoint root hash must be ${String(auditHashLength)} bytes`);
  }
  for (const line of extensions) {
    if (line.length === 0 || !isNoteText(line) || line.includes('\n')) {
      throw new HoldfastError('BAD_REQUEST', 'Checkpoint extension lines must be non-empty single lines of text');
    }
  }
  const lines = [origin, String(treeSize), Buffer.from(rootHash).toString('base64'), ...extensions];
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * C2SP key id: SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ raw Ed25519 public key)[:4]. Accepts the public
 * key, or the private key (whose public half is used).
 */
export function auditKeyId(keyName: string, publicKey: KeyObject): Uint8Array {
  if (!isKeyName(keyName)) throw new HoldfastError('BAD_REQUEST', 'Note key names must be non-empty text without spaces, "+" or control characters');
  const digest = createHash('sha256').update(keyName, 'utf8').update(Uint8Array.of(0x0a, ed25519SignatureType)).update(rawEd25519PublicKey(publicKey)).digest();
  return new Uint8Array(digest.subarray(0, 4));
}

/** The signed note: body, a blank line, and one signature line by this key. */
export function signNote({ body, keyName, privateKey }: { body: string; keyName: string; privateKey: KeyObject }): string {
  if (!isNoteBody(body)) {
    throw new HoldfastError('BAD_REQUEST', 'A note body must be non-empty text ending in a newline, without other control characters');
  }
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new HoldfastError('BAD_REQUEST', 'Notes are signed with an Ed25519 private key');
  }
  const signature = sign(null, Buffer.from(body, 'utf8'), privateKey);
  const keyId = auditKeyId(keyName, privateKey);
  const blob = Buffer.concat([keyId, signature]).toString('base64');
  return `${body}\n${emDash} ${keyName} ${blob}\n`;
}

/**
 * The note text, if a signature line by this key (name and id) verifies over it; null for a
 * malformed note, a note this key did not sign, or one where this key's signature fails.
 * Never throws.
 */
export function openNote({ note, keyName, publicKey }: { note: string; keyName: string; publicKey: KeyObject }): string | null {
  if (typeof note !== 'string' || note.length > maxNoteLength || !isNoteText(note)) return null;
  let keyId: Uint8Array;
  try {
    if (publicKey.type !== 'public') return null;
    keyId = auditKeyId(keyName, publicKey);
  } catch {
    return null;
  }
  // The text ends at the LAST blank line: the text itself may hold blank lines, signatures cannot.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return null;
  const body = note.slice(0, split + 1);
  const signatureBlock = note.slice(split + 2);
  if (!signatureBlock.endsWith('\n')) return null;
  const lines = signatureBlock.slice(0, -1).split('\n');
  if (lines.length > maxSignatureLines) return null;

  const bodyBytes = Buffer.from(body, 'utf8');
  let isVerified = false;
  for (const line of lines) {
    const parsed = parseSignatureLine(line);
    if (parsed === null) return null;
    // Another key (a previous log key, a witness): not ours to judge.
    if (parsed.keyName !== keyName || !bytesEqual(parsed.keyId, keyId)) continue;
    const signature = parsed.blob.subarray(4);
    if (signature.length !== ed25519SignatureLength) return null;
    try {
      if (!verify(null, bodyBytes, publicKey, signature)) return null;
    } catch {
      return null;
    }
    isVerified = true;
  }
  return isVerified ? body : null;
}

/**
 * The checkpoint in a signed note, if this key signed it (openNote) and its text is a well-formed
 * C2SP checkpoint; with `origin`, also only if it is that log's. Null otherwise; never throws.
 * The caller still checks the checkpoint against the last one it trusted (verifyConsistency):
 * a valid signature proves who said it, not that it agrees with what they said before.
 */
export function openSignedNote({
  note,
  keyName,
  publicKey,
  origin,
}: {
  note: string;
  keyName: string;
  publicKey: KeyObject;
  origin?: string;
}): AuditCheckpoint | null {
  const body = openNote({ note, keyName, publicKey });
  if (body === null) return null;
  const checkpoint = parseCheckpointBody(body);
  if (checkpoint === null || (origin !== undefined && checkpoint.origin !== origin)) return null;
  return checkpoint;
}

/**
 * The C2SP verifier key string, `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>`: what
 * `holdfast audit` prints so anyone can check checkpoints and proofs offline, with Go's
 * `note.NewVerifier` or ours (parseVerifierKey).
 */
export function verifierKey(keyName: string, publicKey: KeyObject): string {
  const keyId = Buffer.from(auditKeyId(keyName, publicKey)).toString('hex');
  const material = Buffer.concat([Uint8Array.of(ed25519SignatureType), rawEd25519PublicKey(publicKey)]).toString('base64');
  return `${keyName}+${keyId}+${material}`;
}

/** A verifier key string back to name, id and key; null unless well-formed, Ed25519 and its id matches. */
export function parseVerifierKey(vkey: string): { keyName: string; keyId: Uint8Array; publicKey: KeyObject } | null {
  if (typeof vkey !== 'string' || vkey.length > 1024) return null;
  // The name cannot hold '+', the id is 8 hex digits, and the base64 after them may hold '+'.
  const match = /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/iu.exec(vkey);
  if (match === null) return null;
  const [, keyName = '', idHex = '', material = ''] = match;
  if (!isKeyName(keyName)) return null;
  const decoded = decodeBase64Strict(material);
  if (decoded?.length !== 1 + ed25519PublicKeyLength || decoded[0] !== ed25519SignatureType) return null;
  try {
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(decoded.subarray(1)).toString('base64url') },
      format: 'jwk',
    });
    const keyId = auditKeyId(keyName, publicKey);
    if (Buffer.from(keyId).toString('hex') !== idHex.toLowerCase()) return null;
    return { keyName, keyId, publicKey };
  } catch {
    return null;
  }
}

function parseCheckpointBody(body: string): AuditCheckpoint | null {
  const lines = body.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || size === undefined || root === undefined || origin.length === 0) return null;
  if (!/^(0|[1-9][0-9]*)$/u.test(size)) return null;
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) return null;
  const rootHash = decodeBase64Strict(root);
  if (rootHash?.length !== auditHashLength) return null;
  if (extensions.some((line) => line.length === 0)) return null;
  return { origin, treeSize, rootHash, extensions };
}

function parseSignatureLine(line: string): { keyName: string; keyId: Uint8Array; blob: Uint8Array } | null {
  const prefix = `${emDash} `;
  if (!line.startsWith(prefix)) return null;
  const rest = line.slice(prefix.length);
  const space = rest.indexOf(' ');
  if (space < 0) return null;
  const keyName = rest.slice(0, space);
  const blob = decodeBase64Strict(rest.slice(space + 1));
  if (!isKeyName(keyName) || blob === null || blob.length < 5) return null;
  return { keyName, keyId: blob.subarray(0, 4), blob };
}

function rawEd25519PublicKey(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== 'ed25519') throw new HoldfastError('BAD_REQUEST', 'Audit checkpoints are signed with Ed25519 keys');
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const { x } = publicKey.export({ format: 'jwk' });
  const raw = typeof x === 'string' ? Buffer.from(x, 'base64url') : Buffer.alloc(0);
  if (raw.length !== ed25519PublicKeyLength) throw new HoldfastError('BAD_REQUEST', 'Not a 32-byte Ed25519 public key');
  return new Uint8Array(raw);
}

/** C2SP key names: non-empty, no Unicode spaces, no '+', no control characters. */
function isKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 256 && isNoteText(name) && !/[\s\u0085+]/u.test(name);
}

function isNoteBody(body: unknown): body is string {
  return typeof body === 'string' && body.length > 1 && body.length <= maxNoteLength && body.endsWith('\n') && isNoteText(body);
}

/** Signed notes are well-formed UTF-8 with no control character but newline. */
function isNoteText(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0009\u000b-\u001f]/u.test(text)) return false;
  // A lone surrogate has no UTF-8 form: it would be signed as U+FFFD and verify as something else.
  // (With the u flag a surrogate PAIR is one code point and does not match this class.)
  return !/[\ud800-\udfff]/u.test(text);
}

function decodeBase64Strict(text: string): Uint8Array | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/u.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero padding bits decode "fine" but give a second spelling of the same bytes.
  if (bytes.toString('base64') !== text) return null;
  return new Uint8Array(bytes);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
