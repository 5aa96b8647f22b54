import { decryptSecret, encryptSecret } from '@holdfast/core';
import { withDatabaseRetry, withTransaction, type SqlClient } from '@holdfast/db';
import { createECDH, randomUUID } from 'node:crypto';
import type { ServiceDeps } from '../../deps';
import { pushSettingsOf } from './push-subscription-store';

/** The deployment's VAPID key pair (RFC 8292), as `web-push` takes it: base64url, unpadded. */
export interface VapidKeys {
  id: string;
  /** The 65-byte uncompressed P-256 point: `applicationServerKey` for `PushManager.subscribe`. */
  publicKey: string;
  /** The 32-byte private scalar. Never logged, never returned by any procedure. */
  privateKey: string;
  subject: string;
}

/** Serializes the first creation across gateways (transaction-scoped advisory lock): "vpd1". */
const creationLockKey = 0x7670_6431;

/** Decrypted once per process and database: the key pair never changes once written. */
const cached = new WeakMap<ServiceDeps['db'], Promise<VapidKeys>>();

function vapidAad(id: string): string {
  return `vapid:${id}`;
}

interface VapidRow {
  id: string;
  public_key: string;
  private_key_enc: string;
  subject: string;
}

/** The oldest row wins: every gateway agrees on one key even if a second row ever appeared. */
async function readOldest(sql: Pick<SqlClient, 'query'>): Promise<VapidRow | undefined> {
  const { rows } = await sql.query<VapidRow>('SELECT id, public_key, private_key_enc, subject FROM vapid_keys ORDER BY created_at, id LIMIT 1');
  return rows[0];
}

function generateVapidKeyPair(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // Uncompressed point (0x04 || x || y): always 65 bytes. The scalar may have leading zeros: pad to 32.
  const publicKey = ecdh.getPublicKey();
  const scalar = ecdh.getPrivateKey();
  const privateKey = Buffer.concat([Buffer.alloc(Math.max(0, 32 - scalar.length)), scalar]);
  return { publicKey: publicKey.toString('base64url'), privateKey: privateKey.toString('base64url') };
}

async function loadOrCreate(deps: ServiceDeps): Promise<VapidKeys> {
  const row =
    (await withDatabaseRetry(deps, () => readOldest(deps.db.pool))) ??
    (await withDatabaseRetry(deps, (deadline) =>
      withTransaction(deps.db.pool, deadline, async (sql) => {
        await sql.query('SELECT pg_advisory_xact_lock($1)', [creationLockKey]);
        // Looked at again under the lock: another gateway may have just made it.
        const existing = await readOldest(sql);
        if (existing !== undefined) return existing;
        const id = randomUUID();
        const pair = generateVapidKeyPair();
        const subject = pushSettingsOf(deps).vapidSubject;
        const privateKeyEnc = encryptSecret({ keyring: deps.keyring, random: deps.random, plaintext: pair.privateKey, aad: vapidAad(id) });
        await sql.query('INSERT INTO vapid_keys (id, public_key, private_key_enc, subject) VALUES ($1, $2, $3, $4)', [
          id,
          pair.publicKey,
          privateKeyEnc,
          subject,
        ]);
        return { id, public_key: pair.publicKey, private_key_enc: privateKeyEnc, subject };
      }),
    ));
  const privateKey = decryptSecret({ keyring: deps.keyring, envelope: row.private_key_enc, aad: vapidAad(row.id) });
  // The subject is the deployment's current contact (it may change without re-subscribing anyone).
  return { id: row.id, publicKey: row.public_key, privateKey, subject: pushSettingsOf(deps).vapidSubject };
}

/**
 * The deployment's one VAPID key pair, made by whichever gateway needs it first (advisory lock +
 * "oldest row wins", so all gateways use the same key: a subscription is bound to the key it was
 * made with). The private key is envelope-encrypted with the keyring, AAD `vapid:<id>` (invariant 6).
 */
export function getVapidKeys(deps: ServiceDeps): Promise<VapidKeys> {
  let keys = cached.get(deps.db);
  if (keys === undefined) {
    keys = loadOrCreate(deps);
    cached.set(deps.db, keys);
    // A failure (database down) is not remembered: the next caller tries again.
    keys.catch(() => {
      if (cached.get(deps.db) === keys) cached.delete(deps.db);
    });
  }
  return keys;
}
