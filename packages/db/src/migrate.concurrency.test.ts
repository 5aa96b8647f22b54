import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrateDatabase } from './migrate';
import { randomBytes } from 'node:crypto';

describe('migrations', () => {
  const adminUrl = inject('pgAdminUrl');
  const name = `migrate_${randomBytes(4).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  it('five concurrent starters apply each migration exactly once', async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    for (let i = 0; i < 5; i += 1) pools.push(new pg.Pool({ connectionString: url.toString(), max: 1 }));
    const results = await Promise.all(pools.map((pool) => migrateDatabase({ pool })));
    // Exactly one starter applied the migrations; the others waited on the lock and found them done.
    expect(results.filter((applied) => applied.length > 0)).toHaveLength(1);
    const first = pools[0];
    if (first === undefined) throw new Error('no pool');
    const rows = await first.query<{ count: string }>('SELECT count(*) FROM _prisma_migrations');
    expect(Number(rows.rows[0]?.count)).toBe(results.flat().length);
    const tables = await first.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'totp_factors'");
    expect(tables.rowCount).toBe(1);
  });
});
