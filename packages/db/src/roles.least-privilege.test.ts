import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrateDatabase, migrationsDir } from './migrate';
import { bootstrapDatabaseRoles, defaultRoleNames, isScramVerifierFor, roleUrl, scramVerifier } from './roles';
import { testRolePasswords } from './testing';

async function sqlState(url: string, sql: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(sql);
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : 'unknown';
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('[LEAST_PRIVILEGE] database roles', () => {
  const adminUrl = inject('pgAdminUrl');
  const name = `roles_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const gatewayUrl = roleUrl(dbUrl, defaultRoleNames.gateway, testRolePasswords.gateway);
  const migratorUrl = roleUrl(dbUrl, defaultRoleNames.migrator, testRolePasswords.migrator);
  const dirs: string[] = [];
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('computes the SCRAM-SHA-256 verifier Postgres checks', () => {
    const verifier = scramVerifier('correct horse');
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(isScramVerifierFor(verifier, 'correct horse')).toBe(true);
    expect(isScramVerifierFor(verifier, 'wrong horse')).toBe(false);
  });

  it('hands a database migrated by the superuser (before roles existed) to the migrator, and later migrations are granted to the gateway', async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    // Yesterday's deployment: everything migrated as the superuser.
    const superPool = new pg.Pool({ connectionString: dbUrl, max: 1 });
    await migrateDatabase({ pool: superPool, gatewayRole: null });
    await superPool.end();

    // Twice: idempotent.
    await bootstrapDatabaseRoles({ adminUrl: dbUrl, passwords: testRolePasswords });
    await bootstrapDatabaseRoles({ adminUrl: dbUrl, passwords: testRolePasswords });

    const owners = new pg.Client({ connectionString: dbUrl });
    await owners.connect();
    const notMigrator = await owners.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v') AND pg_get_userbyid(c.relowner) <> $1`,
      [defaultRoleNames.migrator],
    );
    await owners.end();
    expect(notMigrator.rows).toEqual([]);

    // A later migration, as the migrator: it may alter existing tables and add new ones…
    const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-migrations-'));
    dirs.push(dir);
    await cp(migrationsDir, dir, { recursive: true });
    await mkdir(path.join(dir, '29991231000000_later'));
    await writeFile(
      path.join(dir, '29991231000000_later', 'migration.sql'),
      'ALTER TABLE audit_events ADD COLUMN later_note TEXT; CREATE TABLE later_counters (id INT PRIMARY KEY, n INT NOT NULL);',
    );
    // …which a gateway cannot apply, and says so without trying.
    const gatewayPool = new pg.Pool({ connectionString: gatewayUrl, max: 1 });
    await expect(migrateDatabase({ pool: gatewayPool, dir })).rejects.toThrow(/pending .* cannot run DDL/);
    const migratorPool = new pg.Pool({ connectionString: migratorUrl, max: 1 });
    expect(await migrateDatabase({ pool: migratorPool, dir })).toEqual(['29991231000000_later']);
    await migratorPool.end();
    // Nothing pending: a gateway's start-time check passes.
    expect(await migrateDatabase({ pool: gatewayPool, dir })).toEqual([]);
    await gatewayPool.end();

    expect(await sqlState(gatewayUrl, 'INSERT INTO later_counters VALUES (1, 1)')).toBeNull();
    expect(await sqlState(gatewayUrl, 'UPDATE later_counters SET n = n + 1')).toBeNull();
    expect(await sqlState(gatewayUrl, 'DELETE FROM later_counters')).toBeNull();
    expect(await sqlState(gatewayUrl, 'TRUNCATE later_counters')).toBe('42501');
    expect(await sqlState(gatewayUrl, 'UPDATE audit_events SET later_note = 1::text')).toBe('42501');
    expect(await sqlState(gatewayUrl, 'DELETE FROM audit_events')).toBe('42501');
    expect(await sqlState(gatewayUrl, 'DELETE FROM _prisma_migrations')).toBe('42501');
    expect(await sqlState(gatewayUrl, 'CREATE TABLE gateway_table (id int)')).toBe('42501');
    expect(await sqlState(gatewayUrl, 'CREATE SCHEMA gateway_schema')).toBe('42501');
    // The replication barrier (invariant 2) and cache notifications work for the gateway role.
    expect(await sqlState(gatewayUrl, "SELECT pg_logical_emit_message(true, 'holdfast.replication_barrier', '')")).toBeNull();
    expect(await sqlState(gatewayUrl, "SELECT pg_notify('holdfast_cache', 'x')")).toBeNull();
    // A wrong password is refused.
    expect(await sqlState(roleUrl(dbUrl, defaultRoleNames.gateway, 'wrong'), 'SELECT 1')).toBe('28P01');
  });
});
