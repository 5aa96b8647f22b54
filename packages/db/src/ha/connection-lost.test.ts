import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { withTransaction } from '../sql';
import { isTransientDatabaseError } from './transient';

// Found by stopping a cluster under a live gateway: pg-pool takes its error listener off a client
// while it is checked out, so a connection that died inside withTransaction (the server shut down,
// HAProxy closed it) emitted an unhandled 'error' and ended the whole gateway process.
describe('[DB_CONNECTION_LOST] a connection that dies inside a transaction', () => {
  const pool = new pg.Pool({ connectionString: inject('pgAdminUrl'), max: 2 });
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  afterAll(async () => {
    await admin.end();
    await pool.end();
  });

  it('fails that transaction with a transient error and does not crash the process', async () => {
    await admin.connect();
    const outcome = await withTransaction(pool, null, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // The server ends this session between two statements, as a shutdown does.
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.query('SELECT 1');
      return 'committed';
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(Error);
    expect(isTransientDatabaseError(outcome)).toBe(true);
    // The pool still serves (the dead connection was discarded, not reused).
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
  });
});
