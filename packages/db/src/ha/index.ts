/**
 * High availability: how Holdfast keeps answering while its database fails over.
 *
 * The pieces, in the order a request meets them:
 *
 * - `endpoint-failover.ts` — DATABASE_URL may list several endpoints to the same database (each
 *   region's HAProxy, own region first). `createDatabase` (../client.ts) keeps one pool per endpoint
 *   and moves to the next when one refuses connections. "Every connection busy" does not count: a
 *   failover makes every endpoint busy alike.
 * - `transient.ts` — which errors mean "the same work may succeed shortly, maybe elsewhere":
 *   connection errors, 57P0x, 08xxx, 25006 (a standby HAProxy still routes to), 40001, 53300,
 *   57014, and a commit the synchronous standby did not acknowledge.
 * - `with-database-retry.ts` — retries idempotent work (reads; verifications, which carry an
 *   attempt id) with short backoff inside the request's deadline, reports each error so the
 *   endpoint can fail over, stops when the caller has gone, and answers DATABASE_UNAVAILABLE (503)
 *   past the deadline so the client retries on another gateway with the same attempt id.
 * - `commit-not-replicated.ts` — a COMMIT that returned Postgres's "canceling wait for synchronous
 *   replication" warning committed locally only: `withTransaction` (../sql.ts) turns it into
 *   `CommitNotReplicatedError`, a failure (invariant 2: no acknowledged write lost on failover).
 * - `replication-barrier.ts` — before acknowledging an outcome that was *read* (it may have been
 *   written by such a doubtful commit), wait until the standby has everything committed so far.
 * - `error-chain.ts` — the one walker of an error's `cause` chain the pieces above share.
 *
 * Elsewhere, by design: the metadata cache and its LISTEN/NOTIFY listener (packages/api/src/cache:
 * they cache api reads), the canary behind /readyz (apps/gateway/src/canary.ts) and the SDK's
 * gateway failover (packages/sdk/src/failover.ts: relying applications must not depend on db).
 */
export { CommitNotReplicatedError } from './commit-not-replicated';
export { createEndpointFailover, isEndpointUnreachable, type EndpointFailover } from './endpoint-failover';
export { errorChain } from './error-chain';
export { awaitReplicationBarrier } from './replication-barrier';
export { assertBeforeDatabaseDeadline, DatabaseDeadlineError, tearDownAtDeadline, type DatabaseDeadline } from './deadline';
export { isTransientDatabaseError } from './transient';
export { runWithinDeadline, withDatabaseRetry, type DatabaseRetryOptions, type DatabaseRetryReport } from './with-database-retry';
