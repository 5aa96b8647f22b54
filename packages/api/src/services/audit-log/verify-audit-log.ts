import { appendLeaf, emptyMerkleFrontier, frontierRoot, openSignedNote, type Keyring } from '@holdfast/core';
import type { Database, SqlClient } from '@holdfast/db';
import { openAuditSigningKeyRow, readAuditPublicKey, type AuditPublicKey } from './audit-key';
import { leafHashOf, sealedColumns, type SealedRow } from './audit-rows';
import { readAllCheckpoints, readLatestCheckpoint, type StoredCheckpoint } from './audit-tree';
import { openPruneMark, readPruneMarks } from './retention-mark';

type Sql = Pick<SqlClient, 'query'>;

export type AuditProblemKind =
  /** The row's content no longer hashes to its leaf. */
  | 'row_edited'
  /** The leaf's row is gone, and no valid prune mark covers its leaf. */
  | 'row_deleted'
  /** A leaf index is missing: the leaves are not 0..n-1. */
  | 'leaf_missing'
  /** Leaves past the latest checkpoint: sealing writes both in one transaction, so someone added them. */
  | 'leaf_unsigned'
  /** A checkpoint names more leaves than there are (the tree was truncated). */
  | 'checkpoint_truncated'
  /** A checkpoint's root is not the root of the leaves up to its size (leaves rewritten with their rows). */
  | 'checkpoint_root'
  /** A checkpoint's signature does not verify with the deployment's key, or disagrees with its row. */
  | 'checkpoint_signature'
  /** A checkpoint's stored frontier is not its tree's (the next sealer would continue a wrong tree). */
  | 'checkpoint_frontier'
  /** A row the sealer has passed (behind the watermark) that has no leaf: inserted afterwards. */
  | 'row_inserted'
  /** The signing key's private half does not open with the keyring: the key was not made by a gateway. */
  | 'key_unverified'
  /** A "pruned below N" mark not signed by the deployment's key, or whose signed text disagrees with its row: it authorises nothing. */
  | 'prune_mark_signature'
  /** A signed prune mark whose tree head is no stored, signed checkpoint's: it authorises nothing. */
  | 'prune_mark_inconsistent';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** The first leaf it concerns (null: not tied to a leaf). */
  leafIndex: number | null;
  auditEventId: string | null;
  checkpointTreeSize?: number;
  message: string;
}

export interface AuditVerifyReport {
  ok: boolean;
  /** Leaves found. */
  leaves: number;
  checkpoints: number;
  latestCheckpoint: { treeSize: number; note: string } | null;
  keyName: string | null;
  /** N of the highest valid "pruned below N" mark (0: never pruned): rows of leaves below it may be gone. */
  prunedBelow: number;
  /** Leaves below `prunedBelow` whose row is gone (removed by retention; their leaf hashes remain). */
  prunedRows: number;
  /** Prune marks found (valid or not). */
  pruneMarks: number;
  /** The lowest leaf index among the problems first (then the rest); at most 100. */
  problems: AuditProblem[];
}

interface LeafJoinRow extends Omit<SealedRow, 'id'> {
  id: string | null;
  leaf_index: string;
  audit_event_id: string;
  leaf_hash: Buffer;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const maxProblems = 100;

/**
 * `holdfast audit verify`: recomputes every leaf hash from its row, the tree from the leaves, and
 * checks every checkpoint — signature (with the deployment's key, or the one `pinnedKey` names),
 * root at its size (each root is recomputed from the ONE sequence of leaves, which makes every
 * checkpoint consistent with every later one: what a chain of consistency proofs shows, without
 * building one proof per pair) and stored frontier. Streams the leaves in chunks: O(n) time,
 * O(chunk) memory. Names the first bad leaf (leaf index and audit event id).
 *
 * Retention (retention.ts): a row missing for a leaf below the highest VALID prune mark is pruned,
 * not a problem. A mark is valid when the deployment's key (or `pinnedKey`) signed it, its signed
 * text names the N, size and root of its row, and that tree head is a stored checkpoint whose
 * signature verifies (whose root the walk below checks against the leaves): so only the key's
 * holder can authorise a hole, and only at a tree head of this log.
 */
export async function verifyAuditLog(options: {
  pool: Database['pool'];
  keyring?: Keyring;
  pinnedKey?: AuditPublicKey;
  chunkSize?: number;
}): Promise<AuditVerifyReport> {
  // One snapshot for the whole check: the sealer keeps adding leaves and checkpoints meanwhile, and
  // leaves read after the checkpoints would look like leaves no checkpoint signed.
  const client = await options.pool.connect();
  let isBroken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const report = await verifyInSnapshot({ ...options, sql: client });
    await client.query('COMMIT');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      isBroken = true;
    });
    throw error;
  } finally {
    client.release(isBroken);
  }
}

/** The checks of verifyAuditLog on `sql`, inside a transaction the caller holds (the prune verifies in its own). */
export async function verifyInSnapshot(options: { sql: Sql; keyring?: Keyring; pinnedKey?: AuditPublicKey; chunkSize?: number }): Promise<AuditVerifyReport> {
  const { sql } = options;
  const chunkSize = options.chunkSize ?? 10_000;
  const problems: AuditProblem[] = [];
  const report = (problem: AuditProblem): void => {
    if (problems.length < maxProblems) problems.push(problem);
  };
  const key = options.pinnedKey ?? (await readAuditPublicKey(sql));
  if (options.keyring !== undefined && options.pinnedKey === undefined && key !== undefined) {
    try {
      await openAuditSigningKeyRow(sql, key.id, options.keyring);
    } catch (error) {
      report({
        kind: 'key_unverified',
        leafIndex: null,
        auditEventId: null,
        message: `the signing key ${key.keyName} does not open with the keyring: ${String(error)}`,
      });
    }
  }
  const checkpoints = await readAllCheckpoints(sql);
  /** Tree size → root of the checkpoints whose signature verifies: the heads a prune mark may name. */
  const signedHeads = new Map<number, Uint8Array>();
  for (const checkpoint of checkpoints) {
    const opened = key === undefined ? null : openSignedNote({ note: checkpoint.note, keyName: key.keyName, publicKey: key.publicKey });
    if (opened !== null && opened.treeSize === checkpoint.treeSize && sameBytes(opened.rootHash, checkpoint.rootHash)) {
      signedHeads.set(checkpoint.treeSize, checkpoint.rootHash);
    } else {
      report({
        kind: 'checkpoint_signature',
        leafIndex: null,
        auditEventId: null,
        checkpointTreeSize: checkpoint.treeSize,
        message: `checkpoint ${String(checkpoint.treeSize)}: the signed note does not verify with ${key?.keyName ?? 'no key'} or names another tree`,
      });
    }
  }
  const marks = await readPruneMarks(sql);
  let prunedBelow = 0;
  for (const mark of marks) {
    const opened = key === undefined ? null : openPruneMark({ note: mark.note, keyName: key.keyName, publicKey: key.publicKey });
    if (opened === null || opened.prunedBelow !== mark.prunedBelow || opened.treeSize !== mark.treeSize || !sameBytes(opened.rootHash, mark.rootHash)) {
      report({
        kind: 'prune_mark_signature',
        leafIndex: null,
        auditEventId: null,
        checkpointTreeSize: mark.treeSize,
        message: `prune mark "pruned below ${String(mark.prunedBelow)}": its signed note does not verify with ${key?.keyName ?? 'no key'} or names another mark — it authorises no missing row`,
      });
      continue;
    }
    const signedRoot = signedHeads.get(mark.treeSize);
    if (signedRoot === undefined || !sameBytes(signedRoot, mark.rootHash)) {
      report({
        kind: 'prune_mark_inconsistent',
        leafIndex: null,
        auditEventId: null,
        checkpointTreeSize: mark.treeSize,
        message: `prune mark "pruned below ${String(mark.prunedBelow)}": tree head ${String(mark.treeSize)} is not a signed checkpoint of this log — it authorises no missing row`,
      });
      continue;
    }
    prunedBelow = Math.max(prunedBelow, mark.prunedBelow);
  }
  let prunedRows = 0;
  // Checkpoints by size, consumed as the leaves reach each size.
  const pending: StoredCheckpoint[] = [...checkpoints];
  let frontier = emptyMerkleFrontier;
  let previousSize = 0;
  let leafCount = 0;
  const settle = (): void => {
    for (let next = pending[0]; next !== undefined && next.treeSize === frontier.size; next = pending[0]) {
      pending.shift();
      if (!sameBytes(frontierRoot(frontier), next.rootHash)) {
        report({
          kind: 'checkpoint_root',
          leafIndex: previousSize,
          auditEventId: null,
          checkpointTreeSize: next.treeSize,
          message: `checkpoint ${String(next.treeSize)}: its root is not the root of the leaves — a leaf in ${String(previousSize)}..${String(next.treeSize - 1)} was rewritten`,
        });
      } else if (
        next.frontier.hashes.length !== frontier.hashes.length ||
        next.frontier.hashes.some((hash, i) => !sameBytes(hash, frontier.hashes[i] ?? new Uint8Array()))
      ) {
        report({
          kind: 'checkpoint_frontier',
          leafIndex: null,
          auditEventId: null,
          checkpointTreeSize: next.treeSize,
          message: `checkpoint ${String(next.treeSize)}: its stored frontier is not its tree's`,
        });
      }
      previousSize = next.treeSize;
    }
  };
  settle();
  for (;;) {
    const { rows } = await sql.query<LeafJoinRow>(
      `SELECT l.leaf_index::text AS leaf_index, l.audit_event_id::text AS audit_event_id, l.leaf_hash, ${sealedColumns}
         FROM audit_leaves l LEFT JOIN audit_events e ON e.id = l.audit_event_id
        WHERE l.leaf_index >= $1
        ORDER BY l.leaf_index
        LIMIT $2`,
      [leafCount, chunkSize],
    );
    for (const row of rows) {
      const index = Number(row.leaf_index);
      if (index !== leafCount) {
        report({
          kind: 'leaf_missing',
          leafIndex: leafCount,
          auditEventId: null,
          message: `leaf ${String(leafCount)} is missing (the next one is ${String(index)})`,
        });
        // The tree cannot be rebuilt past a hole: the checkpoints beyond it are reported as truncated.
        return finish();
      }
      const stored = new Uint8Array(row.leaf_hash);
      if (row.id === null && index < prunedBelow) {
        // Removed by retention below a valid mark: the leaf still counts, the row is not checked.
        prunedRows += 1;
      } else if (row.id === null) {
        report({
          kind: 'row_deleted',
          leafIndex: index,
          auditEventId: row.audit_event_id,
          message: `leaf ${String(index)}: audit event ${row.audit_event_id} was deleted`,
        });
      } else if (!sameBytes(leafHashOf({ ...row, id: row.id }), stored)) {
        report({
          kind: 'row_edited',
          leafIndex: index,
          auditEventId: row.audit_event_id,
          message: `leaf ${String(index)}: audit event ${row.audit_event_id} was changed after it was sealed`,
        });
      }
      frontier = appendLeaf(frontier, stored);
      leafCount += 1;
      settle();
    }
    if (rows.length < chunkSize) break;
  }
  return finish();

  async function finish(): Promise<AuditVerifyReport> {
    for (const checkpoint of pending) {
      report({
        kind: 'checkpoint_truncated',
        leafIndex: leafCount,
        auditEventId: null,
        checkpointTreeSize: checkpoint.treeSize,
        message: `checkpoint ${String(checkpoint.treeSize)} names more leaves than there are: leaf ${String(leafCount)} onwards is gone`,
      });
    }
    const latest = checkpoints.at(-1);
    const signedSize = latest?.treeSize ?? 0;
    if (pending.length === 0 && leafCount > signedSize) {
      const { rows } = await sql.query<{ audit_event_id: string }>('SELECT audit_event_id::text AS audit_event_id FROM audit_leaves WHERE leaf_index = $1', [
        signedSize,
      ]);
      report({
        kind: 'leaf_unsigned',
        leafIndex: signedSize,
        auditEventId: rows[0]?.audit_event_id ?? null,
        message: `leaf ${String(signedSize)} onwards is in no checkpoint (sealing writes leaves and their checkpoint together)`,
      });
    }
    const mark = await readLatestCheckpoint(sql);
    if (mark !== undefined) {
      const { rows } = await sql.query<{ id: string }>(
        `SELECT e.id::text AS id FROM audit_events e
          WHERE (e.xid, e.id) <= ($1::xid8, $2::bigint) AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.audit_event_id = e.id)
          ORDER BY e.id LIMIT 1`,
        [mark.scanXid, mark.scanId],
      );
      const inserted = rows[0];
      if (inserted !== undefined) {
        report({
          kind: 'row_inserted',
          leafIndex: null,
          auditEventId: inserted.id,
          message: `audit event ${inserted.id} has no leaf although the sealer has passed its place: it was inserted afterwards`,
        });
      }
    }
    problems.sort((a, b) => (a.leafIndex ?? Number.MAX_SAFE_INTEGER) - (b.leafIndex ?? Number.MAX_SAFE_INTEGER));
    return {
      ok: problems.length === 0,
      leaves: leafCount,
      checkpoints: checkpoints.length,
      latestCheckpoint: latest === undefined ? null : { treeSize: latest.treeSize, note: latest.note },
      keyName: key?.keyName ?? null,
      prunedBelow,
      prunedRows,
      pruneMarks: marks.length,
      problems,
    };
  }
}
