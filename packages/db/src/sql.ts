import type pg from 'pg';
import { CommitNotReplicatedError } from './transient';

/** A connection inside a transaction, for hand-written SQL on the hot path. */
export type SqlClient = pg.PoolClient;

/**
 * Runs `fn` in one READ COMMITTED transaction on a pooled connection. A COMMIT that comes back
 * with the "canceling wait for synchronous replication" warning throws CommitNotReplicatedError:
 * it was not acknowledged by the standby, so it is not acknowledged to anyone. A connection that
 * failed mid-transaction is discarded rather than returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let isBroken = false;
  let isCommitting = false;
  // Set by the notice listener while COMMIT runs (an object, so the check below reads it afresh).
  const commit: { replicationWarning: string | null } = { replicationWarning: null };
  const onNotice = (notice: { message?: string }): void => {
    if (isCommitting && /synchronous replication/i.test(notice.message ?? '')) commit.replicationWarning = notice.message ?? 'sync replication wait cancelled';
  };
  client.on('notice', onNotice);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    isCommitting = true;
    await client.query('COMMIT');
    if (commit.replicationWarning !== null) throw new CommitNotReplicatedError(commit.replicationWarning);
    return result;
  } catch (error) {
    if (!isCommitting) {
      await client.query('ROLLBACK').catch(() => {
        isBroken = true;
      });
    } else {
      // After a failed or doubtful COMMIT the session's state is unknown: do not reuse it.
      isBroken = true;
    }
    throw error;
  } finally {
    client.off('notice', onNotice);
    client.release(isBroken);
  }
}

/**
 * Waits until everything committed so far on this primary is on the synchronous standby: a
 * transaction that takes a transaction id commits a WAL record and, with synchronous replication,
 * its COMMIT returns only once the standby has flushed WAL up to it — and so every earlier commit.
 * Used before acknowledging an outcome that was *read* rather than written by this request (it
 * may have been committed locally by a commit whose replication wait was cancelled).
 */
export async function awaitReplicationBarrier(pool: pg.Pool): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT txid_current()');
  });
}
