import type pg from 'pg';

/** A connection inside a transaction, for hand-written SQL on the hot path. */
export type SqlClient = pg.PoolClient;

/**
 * Runs `fn` in one READ COMMITTED transaction on a pooled connection. A connection that failed
 * mid-transaction is discarded rather than returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: SqlClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      isBroken = true;
    });
    throw error;
  } finally {
    client.release(isBroken);
  }
}
