import {
  decryptSecret,
  defaultSigningKeyPolicy,
  encryptSecret,
  generateSigningKey,
  isSigningKeyPublished,
  planSigningKeyRotation,
  type PrivateSigningJwk,
  type PublicSigningJwk,
  type SigningKeyPolicy,
  type SigningKeyState,
} from '@holdfast/core';
import { withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import type { ServiceDeps } from '../../deps';

/** Decrypted private keys by kid, once per process: key material never changes after it is written. */
const privateKeys = new WeakMap<ServiceDeps['db'], Map<string, PrivateSigningJwk>>();

/** Serializes rotation steps across gateways (transaction-scoped advisory lock). */
const rotationLockKey = 0x686b_7331; // "hks1"

interface SigningKeyRow {
  kid: string;
  public_jwk: PublicSigningJwk;
  is_active: boolean;
  created_at: Date;
  activate_after: Date;
  retired_at: Date | null;
  publish_until: Date | null;
}

const keyColumns = 'kid, public_jwk, is_active, created_at, activate_after, retired_at, publish_until';

function toState(row: SigningKeyRow): SigningKeyState {
  return {
    kid: row.kid,
    isActive: row.is_active,
    createdAt: row.created_at,
    activateAfter: row.activate_after,
    retiredAt: row.retired_at,
    publishUntil: row.publish_until,
  };
}

async function readKeys(sql: Pick<SqlClient, 'query'>): Promise<SigningKeyRow[]> {
  return (await sql.query<SigningKeyRow>(`SELECT ${keyColumns} FROM signing_keys ORDER BY created_at`)).rows;
}

async function insertKey(options: { deps: ServiceDeps; sql: SqlClient; isActive: boolean; createdAt: Date; activateAfter: Date }): Promise<string> {
  const { deps } = options;
  const kid = randomUUID();
  const { publicJwk, privateJwk } = await generateSigningKey(kid);
  const privateJwkEnc = encryptSecret({ keyring: deps.keyring, plaintext: JSON.stringify(privateJwk), aad: kid, random: deps.random });
  await options.sql.query(
    'INSERT INTO signing_keys (kid, public_jwk, private_jwk_enc, is_active, created_at, activate_after) VALUES ($1, $2, $3, $4, $5, $6)',
    [kid, JSON.stringify(publicJwk), privateJwkEnc, options.isActive, options.createdAt, options.activateAfter],
  );
  return kid;
}

/**
 * One rotation step (core `planSigningKeyRotation`), applied under an advisory lock so gateways
 * doing it at once apply it once: a successor is created `next` — published in the JWKS from now,
 * signing only after the publication delay; a next key past its delay takes over, and the old key
 * stays published until the last token it signed has expired; then it is deleted. The first key
 * ever is created active (no token can predate it). Cheap when there is nothing to do: one read.
 */
export async function rotateSigningKeys(options: { deps: ServiceDeps; policy?: SigningKeyPolicy }): Promise<void> {
  const { deps } = options;
  const policy = options.policy ?? defaultSigningKeyPolicy;
  const firstLook = planSigningKeyRotation({ keys: (await readKeys(deps.db.pool)).map(toState), now: deps.clock(), policy });
  if (firstLook.isEmpty) return;
  await withTransaction(deps.db.pool, null, async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock($1)', [rotationLockKey]);
    const now = deps.clock();
    // Planned again under the lock: another gateway may have just done it.
    const plan = planSigningKeyRotation({ keys: (await readKeys(sql)).map(toState), now, policy });
    const audit = { gatewayId: deps.gateway.id, region: deps.gateway.region };
    if (plan.activate !== null) {
      // Retire first: the partial unique index allows one active key at any moment.
      if (plan.activate.retireKid !== null) {
        await sql.query('UPDATE signing_keys SET is_active = false, retired_at = $2, publish_until = $3 WHERE kid = $1', [
          plan.activate.retireKid,
          now,
          plan.activate.publishUntil,
        ]);
      }
      await sql.query('UPDATE signing_keys SET is_active = true WHERE kid = $1', [plan.activate.kid]);
      await writeAuditEvent(sql, {
        ...audit,
        type: 'hosted.signing_key_activated',
        detail: { kid: plan.activate.kid, retiredKid: plan.activate.retireKid, retiredPublishedUntil: plan.activate.publishUntil.toISOString() },
      });
    }
    if (plan.create !== null) {
      const isActive = plan.create.role === 'active';
      const activateAfter = plan.create.role === 'next' ? plan.create.activateAfter : now;
      const kid = await insertKey({ deps, sql, isActive, createdAt: now, activateAfter });
      await writeAuditEvent(sql, {
        ...audit,
        type: isActive ? 'hosted.signing_key_activated' : 'hosted.signing_key_published',
        detail: { kid, activateAfter: activateAfter.toISOString() },
      });
    }
    if (plan.remove.length > 0) await sql.query('DELETE FROM signing_keys WHERE kid = ANY($1::varchar[])', [plan.remove]);
  });
}

/**
 * The key that signs now, after a rotation step. Gateways racing to create the very first key are
 * serialized by the rotation lock (and the one-active-key partial unique index backs it up).
 */
export async function loadActiveSigningKey(deps: ServiceDeps, policy?: SigningKeyPolicy): Promise<{ kid: string; privateJwk: PrivateSigningJwk }> {
  await rotateSigningKeys({ deps, ...(policy === undefined ? {} : { policy }) });
  const { rows } = await deps.db.pool.query<{ kid: string; private_jwk_enc: string }>('SELECT kid, private_jwk_enc FROM signing_keys WHERE is_active');
  const row = rows[0];
  if (row === undefined) throw new Error('no active signing key after a rotation step');
  let known = privateKeys.get(deps.db);
  if (known === undefined) {
    known = new Map();
    privateKeys.set(deps.db, known);
  }
  let privateJwk = known.get(row.kid);
  if (privateJwk === undefined) {
    privateJwk = JSON.parse(decryptSecret({ keyring: deps.keyring, envelope: row.private_jwk_enc, aad: row.kid })) as PrivateSigningJwk;
    known.set(row.kid, privateJwk);
  }
  return { kid: row.kid, privateJwk };
}

/**
 * The public halves published at `/.well-known/jwks.json`: the active key, the next one (before it
 * signs anything) and retired ones until their last token has expired — newest first.
 */
export async function listPublicSigningKeys(deps: ServiceDeps): Promise<PublicSigningJwk[]> {
  const now = deps.clock();
  return (await readKeys(deps.db.pool))
    .filter((row) => isSigningKeyPublished(toState(row), now))
    .reverse()
    .map((row) => row.public_jwk);
}

/** One published key by kid (null when unknown or no longer published). */
export async function findPublicSigningKey(deps: ServiceDeps, kid: string): Promise<PublicSigningJwk | null> {
  const { rows } = await deps.db.pool.query<SigningKeyRow>(`SELECT ${keyColumns} FROM signing_keys WHERE kid = $1`, [kid]);
  const row = rows[0];
  return row !== undefined && isSigningKeyPublished(toState(row), deps.clock()) ? row.public_jwk : null;
}
