import { decryptSecret, encryptSecret, type Keyring, type RandomSource } from '@holdfast/core';
import type { Database, SqlClient } from '@holdfast/db';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

type Sql = Pick<SqlClient, 'query'>;

/**
 * The deployment's checkpoint-signing key (Ed25519). Its name is also the log's origin, the first
 * line of every checkpoint: `holdfast.audit/<key row id>` — unique per deployment, fixed when the
 * key is made, so checkpoints of two deployments (or of a database restored under a new key) can
 * never be mistaken for one another.
 */
export interface AuditPublicKey {
  id: string;
  keyName: string;
  publicKey: KeyObject;
}

export interface AuditSigningKey extends AuditPublicKey {
  privateKey: KeyObject;
}

/** Serializes the first creation across gateways (transaction-scoped advisory lock): "hak1". */
const creationLockKey = 0x6861_6b31;

export function auditKeyAad(id: string): string {
  return `audit-key:${id}`;
}

export function auditOriginFor(id: string): string {
  return `holdfast.audit/${id}`;
}

interface KeyRow {
  id: string;
  key_name: string;
  public_key: Buffer;
  private_key_enc: string;
}

/** The oldest row wins: every gateway and verifier agrees on one key even if a second row ever appeared. */
async function readOldest(sql: Sql): Promise<KeyRow | undefined> {
  const { rows } = await sql.query<KeyRow>('SELECT id, key_name, public_key, private_key_enc FROM audit_signing_keys ORDER BY created_at, id LIMIT 1');
  return rows[0];
}

/** The deployment's public key, or undefined before any gateway has sealed. Needs no keyring. */
export async function readAuditPublicKey(sql: Sql): Promise<AuditPublicKey | undefined> {
  const row = await readOldest(sql);
  return row === undefined ? undefined : { id: row.id, keyName: row.key_name, publicKey: publicKeyFromRaw(new Uint8Array(row.public_key)) };
}

/** The raw 32-byte Ed25519 public key (as stored, and as the gateway's state file pins it). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('Ed25519 public key without x');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

/** The private key from its stored form: the 32-byte seed, base64url (with the public key for the JWK). */
function privateKeyFrom(seed: string, publicKey: Uint8Array): KeyObject {
  return createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed, x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
}

function openRow(row: KeyRow, keyring: Keyring): AuditSigningKey {
  const raw = new Uint8Array(row.public_key);
  const seed = decryptSecret({ keyring, envelope: row.private_key_enc, aad: auditKeyAad(row.id) });
  const privateKey = privateKeyFrom(seed, raw);
  // A private half that does not match the public key would sign checkpoints nobody accepts.
  const derived = rawPublicKey(createPublicKey(privateKey));
  if (Buffer.compare(Buffer.from(derived), Buffer.from(raw)) !== 0) throw new Error('audit signing key: the private key does not match the public key');
  return { id: row.id, keyName: row.key_name, publicKey: publicKeyFromRaw(raw), privateKey };
}

/**
 * The deployment's signing key, made by whichever gateway needs it first (advisory lock + "oldest
 * row wins", as the VAPID key): the private half envelope-encrypted with the keyring, AAD
 * `audit-key:<id>` (invariant 6); `holdfast rotate-keys` re-wraps it.
 */
export async function loadOrCreateAuditSigningKey(options: { pool: Database['pool']; keyring: Keyring; random: RandomSource }): Promise<AuditSigningKey> {
  const existing = await readOldest(options.pool);
  if (existing !== undefined) return openRow(existing, options.keyring);
  const client = await options.pool.connect();
  let isBroken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [creationLockKey]);
    // Looked at again under the lock: another gateway may have just made it.
    let row = await readOldest(client);
    if (row === undefined) {
      const id = randomUUID();
      const pair = generateKeyPairSync('ed25519');
      const jwk = pair.privateKey.export({ format: 'jwk' });
      if (typeof jwk.d !== 'string') throw new Error('Ed25519 private key without d');
      const publicKey = rawPublicKey(pair.publicKey);
      const privateKeyEnc = encryptSecret({ keyring: options.keyring, random: options.random, plaintext: jwk.d, aad: auditKeyAad(id) });
      row = { id, key_name: auditOriginFor(id), public_key: Buffer.from(publicKey), private_key_enc: privateKeyEnc };
      await client.query('INSERT INTO audit_signing_keys (id, key_name, public_key, private_key_enc) VALUES ($1, $2, $3, $4)', [
        row.id,
        row.key_name,
        row.public_key,
        row.private_key_enc,
      ]);
    }
    await client.query('COMMIT');
    return openRow(row, options.keyring);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      isBroken = true;
    });
    throw error;
  } finally {
    client.release(isBroken);
  }
}

/** Opens a stored key with the keyring (throws if its envelope or its halves do not match): proof a gateway made it. */
export async function openAuditSigningKeyRow(sql: Sql, id: string, keyring: Keyring): Promise<AuditSigningKey> {
  const { rows } = await sql.query<KeyRow>('SELECT id, key_name, public_key, private_key_enc FROM audit_signing_keys WHERE id = $1', [id]);
  const row = rows[0];
  if (row === undefined) throw new Error(`audit signing key ${id} not found`);
  return openRow(row, keyring);
}
