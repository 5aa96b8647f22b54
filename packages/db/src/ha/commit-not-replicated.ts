/**
 * The commit returned, but Postgres warned that its wait for the synchronous standby was cancelled:
 * the transaction committed locally and may not survive a failover. It must count as failed
 * (PostgreSQL docs, "synchronous_commit"); the caller retries with the same attempt id.
 * Invariant 2 (no acknowledged write lost on failover).
 */
export class CommitNotReplicatedError extends Error {
  override readonly name = 'CommitNotReplicatedError';
  readonly code = 'COMMIT_NOT_REPLICATED';
}

/** True for the notice Postgres sends when a COMMIT's wait for the synchronous standby is cancelled. */
export function isReplicationWaitCancelled(notice: { message?: string }): boolean {
  return /synchronous replication/i.test(notice.message ?? '');
}
