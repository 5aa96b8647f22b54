import { decryptSecret, encryptSecret, generateSigningKey, type PrivateSigningJwk, type PublicSigningJwk } from '@holdfast/core';
import { randomUUID } from 'node:crypto';
import type { ServiceDeps } from '../../deps';

/** The active key, decrypted once per process: key rows never change after they are written. */
const activeKeys = new WeakMap<ServiceDeps['db'], { kid: string; privateJwk: PrivateSigningJwk }>();

/**
 * The ES256 key that signs hosted-verification results. The first call anywhere creates it; a
 * partial unique index allows one active key, so gateways racing to create it insert
 * `ON CONFLICT DO NOTHING` and all use the row that won.
 */
export async function loadActiveSigningKey(deps: ServiceDeps): Promise<{ kid: string; privateJwk: PrivateSigningJwk }> {
  const known = activeKeys.get(deps.db);
  if (known !== undefined) return known;
  const select = () => deps.db.pool.query<{ kid: string; private_jwk_enc: string }>('SELECT kid, private_jwk_enc FROM signing_keys WHERE is_active');
  let row = (await select()).rows[0];
  if (row === undefined) {
    const kid = randomUUID();
    const { publicJwk, privateJwk } = await generateSigningKey(kid);
    const privateJwkEnc = encryptSecret({ keyring: deps.keyring, plaintext: JSON.stringify(privateJwk), aad: kid, random: deps.random });
    await deps.db.pool.query('INSERT INTO signing_keys (kid, public_jwk, private_jwk_enc, is_active) VALUES ($1, $2, $3, true) ON CONFLICT DO NOTHING', [
      kid,
      JSON.stringify(publicJwk),
      privateJwkEnc,
    ]);
    row = (await select()).rows[0];
    if (row === undefined) throw new Error('no active signing key after creating one');
  }
  const key = {
    kid: row.kid,
    privateJwk: JSON.parse(decryptSecret({ keyring: deps.keyring, envelope: row.private_jwk_enc, aad: row.kid })) as PrivateSigningJwk,
  };
  activeKeys.set(deps.db, key);
  return key;
}

/** Every signing key's public half, as published at `/.well-known/jwks.json`. */
export async function listPublicSigningKeys(deps: ServiceDeps): Promise<PublicSigningJwk[]> {
  const { rows } = await deps.db.pool.query<{ public_jwk: PublicSigningJwk }>('SELECT public_jwk FROM signing_keys ORDER BY created_at DESC');
  return rows.map((row) => row.public_jwk);
}

export async function findPublicSigningKey(deps: ServiceDeps, kid: string): Promise<PublicSigningJwk | null> {
  const { rows } = await deps.db.pool.query<{ public_jwk: PublicSigningJwk }>('SELECT public_jwk FROM signing_keys WHERE kid = $1', [kid]);
  return rows[0]?.public_jwk ?? null;
}
