import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { applyGatewayGrants, defaultRoleNames, roleExists } from './roles';

export const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

// Any constant works; it only has to be the same in every process that migrates.
const migrationLockKey = 72_707_369;

/**
 * Applies `prisma/migrations/<name>/migration.sql` in name order, each in its own transaction,
 * recording them in Prisma's own `_prisma_migrations` table (checksum = sha256 of the file), so
 * `prisma migrate deploy` stays compatible wherever Prisma's native engine is available.
 * A session-level advisory lock makes concurrent starters (several gateways) wait for one another
 * instead of racing the same DDL.
 *
 * Least privilege (issue 8): run as the migrator (or an admin), it re-applies the gateway role's
 * grants after every run (`applyGatewayGrants`: all tables, then INSERT + SELECT only on
 * `audit_events`), so tables added by any later migration are covered. Run as a role that cannot
 * create in the schema (a gateway with HOLDFAST_MIGRATE on), it only checks: nothing pending →
 * nothing to do; something pending → an error naming the migrator, without attempting any DDL.
 */
export async function migrateDatabase(options: {
  pool: pg.Pool;
  dir?: string;
  /** The role to grant row access to after migrating (if it exists); null: grant nothing. */
  gatewayRole?: string | null;
}): Promise<string[]> {
  const dir = options.dir ?? migrationsDir;
  const gatewayRole = options.gatewayRole === undefined ? defaultRoleNames.gateway : options.gatewayRole;
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const client = await options.pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    const privilege = await client.query<{ can_create: boolean; role: string }>(
      "SELECT has_schema_privilege('public', 'CREATE') AS can_create, current_user AS role",
    );
    const canCreate = privilege.rows[0]?.can_create === true;
    if (!canCreate) {
      const pending = await pendingMigrations(client, dir, names);
      if (pending.length === 0) return applied;
      throw new Error(
        `${pending.length} migration(s) pending (${pending.join(', ')}) and role ${privilege.rows[0]?.role ?? '?'} cannot run DDL: ` +
          'run the migrations as the migrator role (DATABASE_MIGRATION_URL), or start with HOLDFAST_MIGRATE=false',
      );
    }
    await client.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
      id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const doneByName = new Map(done.rows.map((row) => [row.migration_name, row.checksum]));
    for (const name of names) {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = doneByName.get(name);
      if (previous !== undefined) {
        // An edited, already-applied migration means the schema on disk no longer describes the database.
        if (previous !== checksum) throw new Error(`migration ${name} was changed after it was applied`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed`, { cause: error });
      }
      applied.push(name);
    }
    if (gatewayRole !== null && (await roleExists(client, gatewayRole))) await applyGatewayGrants(client, gatewayRole);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => undefined);
    client.release();
  }
  return applied;
}

/** Migrations on disk not yet recorded; an applied one whose file changed is an error, as when migrating. */
async function pendingMigrations(client: pg.PoolClient, dir: string, names: readonly string[]): Promise<string[]> {
  const table = await client.query<{ oid: string | null }>("SELECT to_regclass('public._prisma_migrations')::text AS oid");
  if (table.rows[0]?.oid == null) return [...names];
  const done = await client.query<{ migration_name: string; checksum: string }>(
    'SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const doneByName = new Map(done.rows.map((row) => [row.migration_name, row.checksum]));
  const pending: string[] = [];
  for (const name of names) {
    const previous = doneByName.get(name);
    if (previous === undefined) {
      pending.push(name);
      continue;
    }
    const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
    if (previous !== createHash('sha256').update(sql).digest('hex')) throw new Error(`migration ${name} was changed after it was applied`);
  }
  return pending;
}
