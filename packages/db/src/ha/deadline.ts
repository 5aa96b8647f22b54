import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

/**
 * The request's database deadline (epoch ms), carried through the async calls of one request
 * (issue 14). `statement_timeout` cannot end every wait: Postgres turns it off before a commit
 * waits for the synchronous standby, and a connection whose link went silent (a partition: no
 * FIN, no RST) never hears back at all. So the deadline is enforced here, on the client side: the
 * retry loop stops waiting at it; a connection `withTransaction` / `runAtomicStatement` still holds
 * at it is torn down, and neither sends anything once it has passed. (A plain `pool.query` or
 * Prisma call is only raced: its connection stays busy until the server or HAProxy ends it.)
 */
const deadlines = new AsyncLocalStorage<number>();

/** The deadline passed with the work still waiting; transient (the same work may succeed later, elsewhere). */
export class DatabaseDeadlineError extends Error {
  readonly code = 'DATABASE_DEADLINE';
}

/**
 * Throws DatabaseDeadlineError when the deadline in force has passed: work the caller already gave
 * up on (and answered 503 for) must not go on to send a write once a connection frees up.
 */
export function assertBeforeDatabaseDeadline(): void {
  const deadline = deadlines.getStore();
  if (deadline !== undefined && Date.now() >= deadline) throw new DatabaseDeadlineError('request deadline passed');
}

/** The deadline in force for this async context, if any. */
export function databaseDeadline(): number | undefined {
  return deadlines.getStore();
}

/** Runs `fn` with a deadline no later than an enclosing one (a request's whole budget bounds every step in it). */
export function withDatabaseDeadline<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
  const outer = deadlines.getStore();
  return deadlines.run(outer === undefined ? deadline : Math.min(outer, deadline), fn);
}

/**
 * While `client` is checked out: when the deadline in force passes, destroy its socket. The
 * statement in flight then fails with "Connection terminated" (transient: the retry loop answers
 * DATABASE_UNAVAILABLE by then) and the pool discards the client. Any commit it carried is in
 * doubt and unacknowledged — the attempt id and the replication barrier settle it on a retry.
 * Returns the disarm function for the `finally`.
 */
export function tearDownAtDeadline(client: pg.PoolClient, onTornDown: () => void): () => void {
  const deadline = databaseDeadline();
  if (deadline === undefined) return () => undefined;
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
