import type pg from 'pg';

/**
 * A request's database deadline (epoch ms), or null for work no request waits on (background jobs)
 * (issue 14). `statement_timeout` cannot end every wait: Postgres turns it off before a commit
 * waits for the synchronous standby, and a connection whose link went silent (a partition: no
 * FIN, no RST) never hears back at all. So the deadline is enforced here, on the client side: the
 * retry loop stops waiting at it; a connection `withTransaction` / `runAtomicStatement` still holds
 * at it is torn down, and neither sends anything once it has passed. (A plain `pool.query` or
 * Prisma call is only raced: its connection stays busy until the server or HAProxy ends it.)
 *
 * It is passed explicitly — `withDatabaseRetry` hands each try's deadline to its work, which hands
 * it to the statements — not carried in an AsyncLocalStorage: on Node 20 an enabled
 * AsyncLocalStorage runs a hook at every promise and async resource the process creates, which
 * was ~12 % of a gateway worker's CPU (issue 9's profile) for one number.
 */
export type DatabaseDeadline = number | null;

/** The deadline passed with the work still waiting; transient (the same work may succeed later, elsewhere). */
export class DatabaseDeadlineError extends Error {
  readonly code = 'DATABASE_DEADLINE';
}

/**
 * Throws DatabaseDeadlineError when the deadline has passed: work the caller already gave up on
 * (and answered 503 for) must not go on to send a write once a connection frees up.
 */
export function assertBeforeDatabaseDeadline(deadline: DatabaseDeadline): void {
  if (deadline !== null && Date.now() >= deadline) throw new DatabaseDeadlineError('request deadline passed');
}

/**
 * While `client` is checked out: when the deadline passes, destroy its socket. The
 * statement in flight then fails with "Connection terminated" (transient: the retry loop answers
 * DATABASE_UNAVAILABLE by then) and the pool discards the client. Any commit it carried is in
 * doubt and unacknowledged — the attempt id and the replication barrier settle it on a retry.
 * Returns the disarm function for the `finally`.
 */
export function tearDownAtDeadline(client: pg.PoolClient, deadline: DatabaseDeadline, onTornDown: () => void): () => void {
  if (deadline === null) return () => undefined;
  const timer = setTimeout(
    () => {
      onTornDown();
      // pg keeps the socket on `connection.stream`; its types do not declare it.
      (client as unknown as { connection?: { stream?: { destroy: (error?: Error) => void } } }).connection?.stream?.destroy();
    },
    Math.max(0, deadline - Date.now()),
  );
  timer.unref();
  return () => {
    clearTimeout(timer);
  };
}
