import type pg from 'pg';
import { CommitNotReplicatedError, isReplicationWaitCancelled } from './ha/commit-not-replicated';
import { assertBeforeDatabaseDeadline, tearDownAtDeadline, type DatabaseDeadline } from './ha/deadline';
import { queryDescribedOnce } from './described-once';

/** A connection inside a transaction, for hand-written SQL on the hot path. */
export type SqlClient = pg.PoolClient;

/**
 * Runs `fn` in one READ COMMITTED transaction on a pooled connection. A COMMIT that comes back
 * with the "canceling wait for synchronous replication" warning throws CommitNotReplicatedError:
 * it was not acknowledged by the standby, so it is not acknowledged to anyone (see ha/). A connection that
 * failed mid-transaction is discarded rather than returned to the pool. `deadline`: the request's
 * (the try's, from withDatabaseRetry), or null for background work (ha/deadline.ts).
 */
export async function withTransaction<T>(pool: pg.Pool, deadline: DatabaseDeadline, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await connectBeforeDeadline(pool, deadline);
  let isBroken = false;
  let isCommitting = false;
  // Set by the notice listener while COMMIT runs (an object, so the check below reads it afresh).
  const commit: { replicationWarning: string | null } = { replicationWarning: null };
  const onNotice = (notice: { message?: string }): void => {
    if (isCommitting && isReplicationWaitCancelled(notice)) commit.replicationWarning = notice.message ?? 'sync replication wait cancelled';
  };
  // pg-pool takes its own error listener off a checked-out client: without one, a connection that
  // dies here (the server shut down, HAProxy closed it) emits an unhandled 'error' and ends the
  // process. The statement in flight (or the next one) fails anyway, with a transient error.
  const onError = (): void => {
    isBroken = true;
  };
  client.on('error', onError);
  client.on('notice', onNotice);
  const disarm = tearDownAtDeadline(client, deadline, () => {
    isBroken = true;
  });
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
    disarm();
    client.off('notice', onNotice);
    // A broken client keeps the listener: it is being discarded and may still report its socket's end.
    if (!isBroken) client.off('error', onError);
    client.release(isBroken);
  }
}

/**
 * One statement in its own implicit transaction on a pooled connection: the hot path's write
 * (issue 9), where a BEGIN/COMMIT pair would double the round trips. The commit is checked
 * exactly as `withTransaction` checks COMMIT: the "canceling wait for synchronous replication"
 * notice arrives before the statement's result, and then the write is not acknowledged.
 */
export async function runAtomicStatement<Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: unknown[],
  options: {
    /** A prepared statement's name: the server parses and plans it once per connection, not per call. */
    name?: string;
    /** The request's deadline (the try's, from withDatabaseRetry), or null for background work. */
    deadline: DatabaseDeadline;
  },
): Promise<pg.QueryResult<Row>> {
  const { name, deadline } = options;
  const client = await connectBeforeDeadline(pool, deadline);
  let isBroken = false;
  const commit: { replicationWarning: string | null } = { replicationWarning: null };
  const onNotice = (notice: { message?: string }): void => {
    if (isReplicationWaitCancelled(notice)) commit.replicationWarning = notice.message ?? 'sync replication wait cancelled';
  };
  const onError = (): void => {
    isBroken = true;
  };
  client.on('error', onError);
  client.on('notice', onNotice);
  const disarm = tearDownAtDeadline(client, deadline, () => {
    isBroken = true;
  });
  try {
    const result = name === undefined ? await client.query<Row>({ text, values }) : await queryDescribedOnce<Row>(client, { name, text, values });
    if (commit.replicationWarning !== null) throw new CommitNotReplicatedError(commit.replicationWarning);
    return result;
  } catch (error) {
    // A statement that failed with a database error rolled back on its own and the session is
    // fine; anything else (a lost connection, a doubtful commit) leaves it unknown.
    if (!isDatabaseError(error) || commit.replicationWarning !== null) isBroken = true;
    throw error;
  } finally {
    disarm();
    client.off('notice', onNotice);
    if (!isBroken) client.off('error', onError);
    client.release(isBroken);
  }
}

/**
 * A pooled connection, unless the request's deadline passed while it waited for one: then the
 * caller has answered 503 already and nothing may be sent (the connection goes back unused).
 */
async function connectBeforeDeadline(pool: pg.Pool, deadline: DatabaseDeadline): Promise<pg.PoolClient> {
  const client = await pool.connect();
  try {
    assertBeforeDatabaseDeadline(deadline);
  } catch (error) {
    client.release();
    throw error;
  }
  return client;
}

/** An error the server sent for the statement (it has a SQLSTATE), as opposed to a lost connection. */
function isDatabaseError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'severity' in error && typeof (error as { code?: unknown }).code === 'string';
}
