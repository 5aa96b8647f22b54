import { emptyMerkleFrontier, type MerkleFrontier } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';

type Sql = Pick<SqlClient, 'query'>;

/** A stored checkpoint of the sealed log (table audit_checkpoints). */
export interface StoredCheckpoint {
  treeSize: number;
  rootHash: Uint8Array;
  frontier: MerkleFrontier;
  note: string;
  keyName: string;
  /** The scan watermark in (xid, id) order, as text (xid8 and bigint). */
  scanXid: string;
  scanId: string;
  createdAt: Date;
}

interface CheckpointRow {
  tree_size: string;
  root_hash: Buffer;
  frontier: Buffer[];
  note: string;
  key_name: string;
  scan_xid: string;
  scan_id: string;
  created_at: Date;
}

// Qualified wherever a query orders by them: an unqualified ORDER BY would sort the text aliases.
const checkpointColumns = 'tree_size::text AS tree_size, root_hash, frontier, note, key_name, scan_xid::text AS scan_xid, scan_id::text AS scan_id, created_at';

function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  const treeSize = Number(row.tree_size);
  return {
    treeSize,
    rootHash: new Uint8Array(row.root_hash),
    frontier: { size: treeSize, hashes: row.frontier.map((hash) => new Uint8Array(hash)) },
    note: row.note,
    keyName: row.key_name,
    scanXid: row.scan_xid,
    scanId: row.scan_id,
    createdAt: row.created_at,
  };
}

export async function readLatestCheckpoint(sql: Sql): Promise<StoredCheckpoint | undefined> {
  const { rows } = await sql.query<CheckpointRow>(`SELECT ${checkpointColumns} FROM audit_checkpoints c ORDER BY c.tree_size DESC LIMIT 1`);
  const row = rows[0];
  return row === undefined ? undefined : toCheckpoint(row);
}

/** Every stored checkpoint, oldest first (verify reads them all: a few per second of history). */
export async function readAllCheckpoints(sql: Sql): Promise<StoredCheckpoint[]> {
  const { rows } = await sql.query<CheckpointRow>(`SELECT ${checkpointColumns} FROM audit_checkpoints c ORDER BY c.tree_size`);
  return rows.map(toCheckpoint);
}

export function frontierOf(checkpoint: StoredCheckpoint | undefined): MerkleFrontier {
  return checkpoint?.frontier ?? emptyMerkleFrontier;
}

/** Thrown when the leaves table has a hole or a surplus where a contiguous run was expected. */
export class LeafRangeError extends Error {
  constructor(
    message: string,
    readonly leafIndex: number,
  ) {
    super(message);
    this.name = 'LeafRangeError';
  }
}

/**
 * The leaf hashes of indexes from..to-1, in order. A missing index is a LeafRangeError naming it:
 * leaves are only ever added (gateway role: INSERT + SELECT), so a hole means someone deleted one.
 */
export async function readLeafHashes(sql: Sql, from: number, to: number): Promise<Uint8Array[]> {
  if (to <= from) return [];
  const { rows } = await sql.query<{ leaf_index: string; leaf_hash: Buffer }>(
    'SELECT l.leaf_index::text AS leaf_index, l.leaf_hash FROM audit_leaves l WHERE l.leaf_index >= $1 AND l.leaf_index < $2 ORDER BY l.leaf_index',
    [from, to],
  );
  const hashes: Uint8Array[] = [];
  for (const row of rows) {
    const index = Number(row.leaf_index);
    const expected = from + hashes.length;
    if (index !== expected) throw new LeafRangeError(`audit leaf ${String(expected)} is missing`, expected);
    hashes.push(new Uint8Array(row.leaf_hash));
  }
  if (hashes.length < to - from) throw new LeafRangeError(`audit leaf ${String(from + hashes.length)} is missing`, from + hashes.length);
  return hashes;
}
