import type pg from 'pg';
import { withTransaction } from '../sql';
import type { DatabaseDeadline } from './deadline';

/**
 * Waits until everything committed so far on this primary is on the synchronous standby: a
 * transaction that writes WAL under a transaction id commits a WAL record and, with synchronous
 * replication, its COMMIT returns only once the standby has flushed WAL up to it — and so every
 * earlier commit. Taking an id alone (`txid_current()`) is not enough: Postgres commits a
 * transaction that wrote no WAL asynchronously, without waiting for the standby (xact.c,
 * RecordTransactionCommit), so a transactional logical message is the write (it works at
 * wal_level replica, needs no table and no privilege; see replication.unacknowledged-commit.test.ts).
 * Used before acknowledging an outcome that was *read* rather than written by this request (it
 * may have been committed locally by a commit whose replication wait was cancelled). Invariant 2.
 */
export async function awaitReplicationBarrier(pool: pg.Pool, deadline: DatabaseDeadline): Promise<void> {
  await withTransaction(pool, deadline, async (client) => {
    await client.query("SELECT pg_logical_emit_message(true, 'holdfast.replication_barrier', '')");
  });
}
