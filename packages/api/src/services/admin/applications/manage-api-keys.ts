import { HoldfastError } from '@holdfast/core';
import { generateApiKey, withTransaction, type SqlClient } from '@holdfast/db';
import type { AdminApiKey, AdminApplication } from '@holdfast/validators';
import type { ServiceDeps } from '../../../deps';
import { writeAdminActionAudit } from '../admin-audit';
import type { AdminPrincipal } from '../admin-principal';
import { requireAdminApplication } from './application-view';

// API keys from the console (apikeys.write, after a step-up). Every write to api_keys notifies
// `apikey:<id>` (migration 20261128020000_cache_notify), so each gateway drops its cached row at
// once and re-reads revoked_at; a future revoked_at is then compared with the clock on every
// request (services/auth/authenticate-api-key.ts), so the overlap ends on time everywhere without a
// notification. revoked_at is written from the DATABASE's clock (now(), now() + overlap), never
// this gateway's: "revoked now" must not depend on how far the revoking gateway's clock runs behind
// the others' (authenticate-api-key.ts also asks the database whether revoked_at has passed when
// it reads the row). The audit trail names keys by id only — never the key.

interface KeyChange {
  apiKey: string;
  key: AdminApiKey;
  application: AdminApplication;
}

async function insertKey(deps: ServiceDeps, sql: SqlClient, applicationId: string): Promise<{ apiKey: string; keyId: string }> {
  const key = generateApiKey();
  await sql.query('INSERT INTO api_keys (id, application_id, secret_hash, created_at) VALUES ($1, $2::uuid, $3, $4)', [
    key.keyId,
    applicationId,
    Buffer.from(key.secretHash),
    deps.clock(),
  ]);
  return { apiKey: key.apiKey, keyId: key.keyId };
}

function findKey(application: AdminApplication, keyId: string): AdminApiKey {
  const key = application.apiKeys.find((candidate) => candidate.id === keyId);
  if (key === undefined) throw new HoldfastError('API_KEY_NOT_FOUND', 'no such API key for this application');
  return key;
}

/** `admin.applications.createApiKey`: one more active key, shown once. */
export async function createAdminApiKey(options: { deps: ServiceDeps; admin: AdminPrincipal; applicationId: string }): Promise<KeyChange> {
  const { deps } = options;
  return withTransaction(deps.db.pool, null, async (sql) => {
    const before = await requireAdminApplication({ deps, sql, applicationId: options.applicationId });
    const created = await insertKey(deps, sql, before.id);
    const application = await requireAdminApplication({ deps, sql, applicationId: before.id });
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin: options.admin,
      action: 'apikeys.write',
      target: `apikey:${created.keyId}`,
      applicationId: before.id,
      before: null,
      after: { operation: 'create', keyId: created.keyId, state: 'active' },
    });
    return { apiKey: created.apiKey, key: findKey(application, created.keyId), application };
  });
}

/**
 * `admin.applications.rotateApiKey`: a new key (shown once) and the old one honoured for
 * `overlapSeconds` more (revoked_at in the future: state `expiring`), so the application can roll
 * its deployments over without a gap; 0 ends the old key at once. Only an active key is rotated.
 */
export async function rotateAdminApiKey(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  keyId: string;
  overlapSeconds: number;
}): Promise<KeyChange> {
  const { deps } = options;
  return withTransaction(deps.db.pool, null, async (sql) => {
    const before = await requireAdminApplication({ deps, sql, applicationId: options.applicationId });
    const old = findKey(before, options.keyId);
    if (old.state !== 'active') throw new HoldfastError('API_KEY_NOT_ACTIVE', `the key is ${old.state}: only an active key can be rotated`);
    // `revoked_at IS NULL` again under the row lock: two admins rotating the same key at once make
    // one new key, not two (the loser's UPDATE matches nothing). The overlap's end is the database's
    // now() + overlap (see the top of this file).
    const ended = await sql.query<{ revoked_at: Date }>(
      `UPDATE api_keys SET revoked_at = now() + make_interval(secs => $3) WHERE id = $1 AND application_id = $2::uuid AND revoked_at IS NULL
       RETURNING revoked_at`,
      [old.id, before.id, options.overlapSeconds],
    );
    const endsAt = ended.rows[0]?.revoked_at;
    if (ended.rowCount !== 1 || endsAt === undefined) throw new HoldfastError('API_KEY_NOT_ACTIVE', 'the key was rotated or revoked meanwhile');
    const created = await insertKey(deps, sql, before.id);
    const application = await requireAdminApplication({ deps, sql, applicationId: before.id });
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin: options.admin,
      action: 'apikeys.write',
      target: `apikey:${old.id}`,
      applicationId: before.id,
      before: { keyId: old.id, state: old.state, revokedAt: old.revokedAt },
      after: { operation: 'rotate', keyId: old.id, revokedAt: endsAt.toISOString(), overlapSeconds: options.overlapSeconds, newKeyId: created.keyId },
    });
    return { apiKey: created.apiKey, key: findKey(application, created.keyId), application };
  });
}

/**
 * `admin.applications.revokeApiKey`: the key stops now — an expiring (rotated) key too, ending its
 * overlap early. Revoking a key already revoked changes (and audits) nothing.
 */
export async function revokeAdminApiKey(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  keyId: string;
}): Promise<{ application: AdminApplication }> {
  const { deps } = options;
  return withTransaction(deps.db.pool, null, async (sql) => {
    const before = await requireAdminApplication({ deps, sql, applicationId: options.applicationId });
    const key = findKey(before, options.keyId);
    if (key.state === 'revoked') return { application: before };
    // Now by the database's clock (see the top of this file); an expiring key's overlap ends early.
    const ended = await sql.query<{ revoked_at: Date }>(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND application_id = $2::uuid AND (revoked_at IS NULL OR revoked_at > now())
       RETURNING revoked_at`,
      [key.id, before.id],
    );
    // Nothing matched: the overlap ran out between the read above and this UPDATE; it stays as it ended.
    const revokedAt = ended.rows[0]?.revoked_at ?? (key.revokedAt === null ? null : new Date(key.revokedAt));
    const application = await requireAdminApplication({ deps, sql, applicationId: before.id });
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin: options.admin,
      action: 'apikeys.write',
      target: `apikey:${key.id}`,
      applicationId: before.id,
      before: { keyId: key.id, state: key.state, revokedAt: key.revokedAt },
      after: { operation: 'revoke', keyId: key.id, state: 'revoked', revokedAt: revokedAt?.toISOString() ?? null },
    });
    return { application };
  });
}
