import { appendLeaf, frontierRoot, openSignedNote, type MerkleFrontier } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import type { KeyObject } from 'node:crypto';
import { readAuditPublicKey } from './audit-key';
import { LeafRangeError, readLatestCheckpoint, readLeafHashes } from './audit-tree';

type Sql = Pick<SqlClient, 'query'>;

/**
 * The latest checkpoint a gateway has verified, kept on its own disk (apps/gateway/src/audit-log):
 * the public key is pinned with it, so a database restored under another key cannot vouch for itself.
 */
export interface TrustedCheckpoint {
  keyName: string;
  publicKey: KeyObject;
  treeSize: number;
  rootHash: Uint8Array;
  frontier: MerkleFrontier;
  note: string;
}

export type HistoryRewrittenReason =
  /** The database has no checkpoint, or a smaller tree than one already verified (a restored copy). */
  | 'tree_smaller'
  /** Same size, another root: a leaf of the verified tree changed. */
  | 'root_changed'
  /** A larger tree that does not extend the verified one (forked: rows re-sealed differently). */
  | 'inconsistent'
  /** A leaf the larger tree needs is missing. */
  | 'leaf_missing'
  /** The checkpoint is not signed by the pinned key (or names another size or root than its row). */
  | 'bad_signature'
  /** The stored frontier does not hash to the checkpoint's root. */
  | 'bad_frontier';

export type CheckpointCheck =
  /** Nothing sealed yet, and nothing trusted. */
  | { status: 'empty' }
  | { status: 'unchanged'; trusted: TrustedCheckpoint }
  /** A newer checkpoint, verified: persist it. */
  | { status: 'advanced'; trusted: TrustedCheckpoint }
  | { status: 'rewritten'; reason: HistoryRewrittenReason; trustedTreeSize: number; databaseTreeSize: number };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Checks the database's latest checkpoint against the one this gateway trusts. A newer one is
 * consistent iff the trusted frontier extended with the leaves after it hashes to the new root:
 * that is the consistency proof's own statement (RFC 9162 §2.1.4: the old tree is a prefix of the
 * new one), checked with the gateway's own copy of the old tree's frontier rather than with
 * hashes the database hands over — and it costs O(new leaves), where a proof built from the
 * leaves table costs O(tree). With nothing trusted yet, the database's latest checkpoint is
 * trusted on first use (its signature and frontier checked).
 */
export async function checkLatestCheckpoint(options: { sql: Sql; trusted: TrustedCheckpoint | null }): Promise<CheckpointCheck> {
  const { sql, trusted } = options;
  const pinned = trusted ?? (await readAuditPublicKey(sql));
  const latest = await readLatestCheckpoint(sql);
  const trustedTreeSize = trusted?.treeSize ?? 0;
  const rewritten = (reason: HistoryRewrittenReason, databaseTreeSize: number): CheckpointCheck => ({
    status: 'rewritten',
    reason,
    trustedTreeSize,
    databaseTreeSize,
  });
  if (latest === undefined) return trusted === null ? { status: 'empty' } : rewritten('tree_smaller', 0);
  if (pinned === undefined) return rewritten('bad_signature', latest.treeSize);
  const opened = openSignedNote({ note: latest.note, keyName: pinned.keyName, publicKey: pinned.publicKey });
  if (opened === null || opened.treeSize !== latest.treeSize || !sameBytes(opened.rootHash, latest.rootHash))
    return rewritten('bad_signature', latest.treeSize);
  const next: TrustedCheckpoint = {
    keyName: pinned.keyName,
    publicKey: pinned.publicKey,
    treeSize: latest.treeSize,
    rootHash: latest.rootHash,
    frontier: latest.frontier,
    note: latest.note,
  };
  if (trusted === null) {
    if (!sameBytes(frontierRoot(latest.frontier), latest.rootHash)) return rewritten('bad_frontier', latest.treeSize);
    return { status: 'advanced', trusted: next };
  }
  if (latest.treeSize < trusted.treeSize) return rewritten('tree_smaller', latest.treeSize);
  if (latest.treeSize === trusted.treeSize) {
    return sameBytes(latest.rootHash, trusted.rootHash) ? { status: 'unchanged', trusted } : rewritten('root_changed', latest.treeSize);
  }
  let frontier = trusted.frontier;
  try {
    // In chunks: a gateway that was down for a day catches up without holding a day in memory.
    for (let from = trusted.treeSize; from < latest.treeSize; from += 10_000) {
      for (const leafHash of await readLeafHashes(sql, from, Math.min(from + 10_000, latest.treeSize))) frontier = appendLeaf(frontier, leafHash);
    }
  } catch (error) {
    if (error instanceof LeafRangeError) return rewritten('leaf_missing', latest.treeSize);
    throw error;
  }
  if (!sameBytes(frontierRoot(frontier), latest.rootHash)) return rewritten('inconsistent', latest.treeSize);
  // The frontier computed here, not the stored one: it is the one derived from what was verified.
  return { status: 'advanced', trusted: { ...next, frontier } };
}

/**
 * How long the oldest row not yet sealed has waited (ms, by the database's clock), 0 when every
 * committed row is sealed. Reads from the last checkpoint's watermark: O(unsealed rows) at worst,
 * one index probe when the sealer keeps up.
 */
export async function readSealLagMs(sql: Sql): Promise<number> {
  const mark = await sql.query<{ scan_xid: string; scan_id: string }>(
    'SELECT scan_xid::text AS scan_xid, scan_id::text AS scan_id FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1',
  );
  const { rows } = await sql.query<{ lag_ms: string }>(
    `SELECT (extract(epoch FROM clock_timestamp() - e.occurred_at) * 1000)::bigint::text AS lag_ms
       FROM audit_events e
      WHERE (e.xid, e.id) > ($1::xid8, $2::bigint)
        AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.audit_event_id = e.id)
      ORDER BY e.xid, e.id
      LIMIT 1`,
    [mark.rows[0]?.scan_xid ?? '0', mark.rows[0]?.scan_id ?? '0'],
  );
  const lag = rows[0]?.lag_ms;
  return lag === undefined ? 0 : Math.max(0, Number(lag));
}
