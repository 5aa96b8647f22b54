import { defaultRoleNames, roleUrl } from '@holdfast/db';
import { testRolePasswords } from '@holdfast/db/testing';
import { createHoldfastClient } from '@holdfast/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

/** The SQLSTATE a statement fails with (null if it succeeded). */
async function sqlState(client: pg.Client, sql: string): Promise<string | null> {
  try {
    await client.query(sql);
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : 'unknown';
  }
}

const permissionDenied = '42501';
// Issue 8, least privilege: gateways connect as a role that cannot rewrite the audit trail
// (invariant 7), cannot run DDL, truncate or switch triggers off, and is not a superuser.
describe('[AUDIT_APPEND_ONLY] the gateway role', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let asGateway: pg.Client;
  let asMigrator: pg.Client;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
    asGateway = new pg.Client({ connectionString: env.gatewayDatabaseUrl });
    await asGateway.connect();
    asMigrator = new pg.Client({ connectionString: roleUrl(env.databaseUrl, defaultRoleNames.migrator, testRolePasswords.migrator) });
    await asMigrator.connect();
  });
  afterAll(async () => {
    await asGateway.end();
    await asMigrator.end();
    await env.stop();
  });

  it('a real gateway process running as the role enrolls and verifies a TOTP code (the hot path needs nothing more)', async () => {
    const [gateway] = env.gateways;
    if (gateway === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gateway.url });
    const client = createHoldfastClient({ gateways: [gateway.url], apiKey: user.apiKey });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    expect(await client.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'accepted' });
    client.close();
    // The gateway's own connections are the gateway role's.
    const own = await asGateway.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const sessions = await env.db.pool.query<{ usename: string }>(
      'SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1 AND usename IS NOT NULL',
      [own.rows[0]?.pid ?? 0],
    );
    expect(sessions.rows.map((r) => r.usename)).toContain(defaultRoleNames.gateway);
    const audit = await asGateway.query<{ count: string }>("SELECT count(*) FROM audit_events WHERE type = 'verify.accepted'");
    expect(Number(audit.rows[0]?.count)).toBeGreaterThan(0);
  });

  it('cannot UPDATE, DELETE or TRUNCATE audit rows', async () => {
    expect(await sqlState(asGateway, "UPDATE audit_events SET type = 'verify.accepted'")).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'DELETE FROM audit_events')).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'TRUNCATE audit_events')).toBe(permissionDenied);
    const rows = await env.db.pool.query<{ count: string }>('SELECT count(*) FROM audit_events');
    expect(Number(rows.rows[0]?.count)).toBeGreaterThan(0);
  });

  it('cannot run DDL, switch triggers off or truncate any table, and is not a superuser', async () => {
    expect(await sqlState(asGateway, 'CREATE TABLE gateway_made (id int)')).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'ALTER TABLE audit_events DISABLE TRIGGER ALL')).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'ALTER TABLE factors ADD COLUMN sneaky int')).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'DROP TABLE audit_events')).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'TRUNCATE verification_attempts')).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'SET session_replication_role = replica')).toBe(permissionDenied);
    expect(await sqlState(asGateway, 'CREATE ROLE gateway_made')).toBe(permissionDenied);
    const role = await asGateway.query<Record<string, boolean>>(
      'SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(role.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false });
  });

  it('may delete expired rows (the retention job) and gets tables added by later migrations', async () => {
    expect(await sqlState(asGateway, "DELETE FROM verification_attempts WHERE created_at < now() - interval '100 years'")).toBeNull();
    // A later migration's table, created by the migrator: default privileges grant it to the gateway.
    expect(await sqlState(asMigrator, 'CREATE TABLE later_feature (id int PRIMARY KEY)')).toBeNull();
    expect(await sqlState(asGateway, 'INSERT INTO later_feature VALUES (1)')).toBeNull();
    expect(await sqlState(asGateway, 'DELETE FROM later_feature')).toBeNull();
    expect(await sqlState(asGateway, 'TRUNCATE later_feature')).toBe(permissionDenied);
  });

  it('passwords are SCRAM-SHA-256 and the server accepts nothing weaker', async () => {
    const stored = await env.db.pool.query<{ rolname: string; scram: boolean }>(
      "SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$%' AS scram FROM pg_authid WHERE rolname = ANY($1)",
      [[defaultRoleNames.gateway, defaultRoleNames.migrator]],
    );
    expect(stored.rows).toHaveLength(2);
    for (const row of stored.rows) expect(row.scram).toBe(true);
    const rules = await env.db.pool.query<{ auth_method: string }>('SELECT DISTINCT auth_method FROM pg_hba_file_rules');
    expect(rules.rows.map((r) => r.auth_method)).toEqual(['scram-sha-256']);
  });
});
