import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateDatabase } from '../migrate';
import { bootstrapDatabaseRoles, defaultRoleNames, roleUrl, type DatabaseRolePasswords } from '../roles';

declare module 'vitest' {
  /** Set by global-setup.ts: the test Postgres server's admin connection string. */
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

/** The throw-away test server's role passwords (it listens on 127.0.0.1 and lives for one run). */
export const testRolePasswords: Readonly<DatabaseRolePasswords> = { migrator: 'holdfast-test-migrator', gateway: 'holdfast-test-gateway' };

export interface TestDatabase {
  /** As the server's superuser: for tests that set up or inspect rows directly. */
  url: string;
  /** As the least-privilege gateway role (issue 8): what gateway processes connect with. */
  gatewayUrl: string;
  /** As the migrator role, which owns the schema. */
  migratorUrl: string;
  drop: () => Promise<void>;
}

/**
 * A fresh, migrated database on the test server, so test files never see each other's rows. Set
 * up as a deployment is: roles bootstrapped by the superuser, migrations run as the migrator
 * (which grants the gateway role its rows), so gateways started on `gatewayUrl` exercise the
 * production privileges.
 */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await bootstrapDatabaseRoles({ adminUrl: url.toString(), passwords: testRolePasswords });
  const migratorUrl = roleUrl(url.toString(), defaultRoleNames.migrator, testRolePasswords.migrator);
  const pool = new pg.Pool({ connectionString: migratorUrl, max: 1 });
  try {
    await migrateDatabase({ pool });
  } finally {
    await pool.end();
  }
  return {
    url: url.toString(),
    gatewayUrl: roleUrl(url.toString(), defaultRoleNames.gateway, testRolePasswords.gateway),
    migratorUrl,
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export { findFreePort, startTestPostgres } from './test-postgres';
export { startSilentStandbyPostgres, type SilentStandbyPostgres } from './silent-standby';
export { startBlackholeProxy, type BlackholeProxy } from './blackhole-proxy';
