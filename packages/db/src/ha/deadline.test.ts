import { HoldfastError } from '@holdfast/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runAtomicStatement, withTransaction } from '../sql';
import { withDatabaseRetry } from './with-database-retry';

const noop = { reportError: (): void => undefined };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Issue 14: the request deadline ends the wait, not just the retries — and work the caller gave
 * up on sends nothing afterwards. Real Postgres; the "slow" parts are a held pool slot and a lock.
 */
describe('[DB_DEADLINE] the request deadline bounds a try and what it may still send', () => {
  const pool = new pg.Pool({ connectionString: inject('pgAdminUrl'), max: 1 });
  const table = `deadline_probe_${String(process.pid)}`;
  beforeAll(async () => {
    await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY)`);
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  it('answers DATABASE_UNAVAILABLE at the deadline while the only connection is busy, and the abandoned write never runs', async () => {
    const holder = await pool.connect();
    const started = Date.now();
    const outcome = await withDatabaseRetry({ db: noop, requestDeadlineMs: 200 }, (deadline) =>
      runAtomicStatement(pool, `INSERT INTO ${table} (id) VALUES ($1)`, ['abandoned'], { deadline }),
    ).catch((error: unknown) => error);
    const tookMs = Date.now() - started;
    expect(outcome).toBeInstanceOf(HoldfastError);
    expect((outcome as HoldfastError).code).toBe('DATABASE_UNAVAILABLE');
    expect(tookMs).toBeLessThan(1_000);
    // The slot frees up long after the answer: the abandoned statement must not go out then.
    await sleep(400);
    holder.release();
    await sleep(300);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE id = 'abandoned'`)).rows[0]).toEqual({ n: 0 });
  });

  it('tears down a connection still waiting at the deadline (a lock here; a standby or a silent link in production)', async () => {
    const blocker = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const started = Date.now();
    const outcome = await withDatabaseRetry({ db: noop, requestDeadlineMs: 300 }, (deadline) =>
      withTransaction(pool, deadline, (client) => client.query(`INSERT INTO ${table} (id) VALUES ('waiting')`)),
    ).catch((error: unknown) => error);
    expect((outcome as HoldfastError).code).toBe('DATABASE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_000);
    await blocker.query('ROLLBACK');
    await blocker.end();
    // The torn-down connection was discarded, not reused: the pool (one slot) still serves, and
    // the waiting INSERT died with its session.
    await sleep(200);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE id = 'waiting'`)).rows[0]).toEqual({ n: 0 });
  });

  it('an enclosing deadline bounds the steps inside it (the earlier one wins)', async () => {
    const started = Date.now();
    const outcome = await withDatabaseRetry({ db: noop, requestDeadlineMs: 5_000 }, () => sleep(2_000).then(() => 'late'), undefined, Date.now() + 150).catch(
      (error: unknown) => error,
    );
    expect((outcome as HoldfastError).code).toBe('DATABASE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
