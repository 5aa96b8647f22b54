import pg from 'pg';
import { startTestPostgres } from './test-postgres';

/**
 * A dedicated Postgres that can be told to require a synchronous standby that never connects —
 * the state a primary is in when its standby is gone and Patroni has not yet reconfigured it.
 * With `synchronous_standby_names` set, every COMMIT that wrote WAL waits (`wait_event = 'SyncRep'`)
 * until the wait is cancelled; Postgres then warns "canceling wait for synchronous replication"
 * and the transaction is committed locally only. Invariant 2 tests use it to observe, on one real
 * server, what the drills observe on a cluster. Its own server, because the setting is server-wide.
 */
export interface SilentStandbyPostgres {
  /** Admin connection string (the `postgres` database). */
  url: string;
  /** Whether commits must wait for the (absent) synchronous standby; waits until it is in effect. */
  requireStandby: (isRequired: boolean) => Promise<void>;
  /** Sessions waiting for the standby right now, with their current statement. */
  standbyWaits: () => Promise<{ pid: number; query: string }[]>;
  /**
   * Cancels each standby wait as soon as it appears (what a timeout or a failover does to it) until
   * `stop` is called, which returns the statements whose wait it cancelled.
   */
  cancelStandbyWaits: () => { stop: () => Promise<string[]> };
  stop: () => Promise<void>;
}

const absentStandby = 'holdfast_absent_standby';

export async function startSilentStandbyPostgres(): Promise<SilentStandbyPostgres> {
  const server = await startTestPostgres();
  // Its own small pool: reading pg_stat_activity and cancelling takes no transaction id, so these
  // statements never wait for the standby themselves.
  const admin = new pg.Pool({ connectionString: server.url, max: 2 });
  // An idle connection ended by the server's shutdown is expected, not an error of the test.
  admin.on('error', () => undefined);

  const standbyWaits = async (): Promise<{ pid: number; query: string }[]> => {
    const { rows } = await admin.query<{ pid: number; query: string }>(
      "SELECT pid, query FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND pid <> pg_backend_pid()",
    );
    return rows;
  };

  return {
    url: server.url,
    requireStandby: async (isRequired) => {
      const names = isRequired ? absentStandby : '';
      await admin.query(`ALTER SYSTEM SET synchronous_standby_names = '${names}'`);
      await admin.query('SELECT pg_reload_conf()');
      // The reload is asynchronous: wait until a new session sees it.
      for (let tries = 0; ; tries += 1) {
        const { rows } = await admin.query<{ synchronous_standby_names: string }>('SHOW synchronous_standby_names');
        if (rows[0]?.synchronous_standby_names === names) return;
        if (tries > 200) throw new Error('synchronous_standby_names did not take effect');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    standbyWaits,
    cancelStandbyWaits: () => {
      const cancelled: string[] = [];
      // An object, so the loop reads the flag `stop` sets afresh.
      const state = { isRunning: true };
      const loop = (async () => {
        while (state.isRunning) {
          for (const wait of await standbyWaits()) {
            await admin.query('SELECT pg_cancel_backend($1)', [wait.pid]);
            cancelled.push(wait.query);
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      return {
        stop: async () => {
          state.isRunning = false;
          await loop;
          return cancelled;
        },
      };
    },
    stop: async () => {
      await admin.end();
      await server.stop();
    },
  };
}
