import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitReplicationBarrier, CommitNotReplicatedError, withTransaction } from './index';
import { startSilentStandbyPostgres, type SilentStandbyPostgres } from './testing';

/**
 * Invariant 2 (no acknowledged write lost on failover), on one real Postgres whose synchronous
 * standby never acknowledges: the two guards in this package, seen failing without them.
 *  - `withTransaction`: a COMMIT whose standby wait was cancelled is an error, not a success.
 *  - `awaitReplicationBarrier`: it returns only once the standby has acknowledged a write — a
 *    barrier that wrote nothing (or did nothing) would return at once.
 */
describe('[REPLICATION_BARRIER] a primary whose synchronous standby does not acknowledge', () => {
  let server: SilentStandbyPostgres;
  let pool: pg.Pool;
  beforeAll(async () => {
    server = await startSilentStandbyPostgres();
    pool = new pg.Pool({ connectionString: server.url, max: 4 });
    // Cancelled standby waits and the server's shutdown end idle connections with 57P01: expected here.
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE outcomes (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await server.requireStandby(false);
    await pool.end();
    await server.stop();
  });

  it('a commit whose replication wait is cancelled throws CommitNotReplicatedError, though it committed locally', async () => {
    await server.requireStandby(true);
    const canceller = server.cancelStandbyWaits();
    const outcome = withTransaction(pool, null, async (sql) => {
      await sql.query('INSERT INTO outcomes (id) VALUES (1)');
    });
    await expect(outcome).rejects.toBeInstanceOf(CommitNotReplicatedError);
    expect(await canceller.stop()).toEqual(['COMMIT']);
    // Committed here, not on the standby: the row a later retry finds is exactly the one the
    // replication barrier must not acknowledge before the standby has it.
    await server.requireStandby(false);
    expect((await pool.query('SELECT id FROM outcomes')).rows).toEqual([{ id: 1 }]);
  });

  it('the replication barrier waits for the standby, and fails when that wait is cancelled', async () => {
    await server.requireStandby(true);
    let isSettled = false;
    const barrier = awaitReplicationBarrier(pool, null).finally(() => {
      isSettled = true;
    });
    // Observed, not assumed: the barrier's COMMIT is waiting for the standby's acknowledgement.
    let waits: { pid: number; query: string }[] = [];
    for (let tries = 0; waits.length === 0 && tries < 300; tries += 1) {
      waits = await server.standbyWaits();
      if (waits.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(waits.map((w) => w.query)).toEqual(['COMMIT']);
    expect(isSettled).toBe(false);

    const canceller = server.cancelStandbyWaits();
    await expect(barrier).rejects.toBeInstanceOf(CommitNotReplicatedError);
    await canceller.stop();
  });

  it('returns at once when no synchronous standby is required', async () => {
    await server.requireStandby(false);
    await expect(awaitReplicationBarrier(pool, null)).resolves.toBeUndefined();
    expect(await server.standbyWaits()).toEqual([]);
  });
});
