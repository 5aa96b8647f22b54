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
  let replicationWarning: string | null = null;
  const onNotice = (notice: { message?: string }): void => {
    if (isCommitting && /synchronous replication/i.test(notice.message ?? '')) replicationWarning = notice.message ?? 'sync replication wait cancelled';
  };
  client.on('notice', onNotice);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    isCommitting = true;
    await client.query('COMMIT');
    if (replicationWarning !== null) throw new CommitNotReplicatedError(replicationWarning);
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
