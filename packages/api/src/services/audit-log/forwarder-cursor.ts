import type { SqlClient } from '@holdfast/db';

type Sql = Pick<SqlClient, 'query'>;

/**
 * Where a forwarder of the sealed audit log stopped (table audit_forwarder_cursors, issue 12): the
 * last leaf index its destination was handed. Leaf indexes are final and totally ordered, so
 * "after leaf N" resumes exactly; -1 means nothing was sent yet.
 */
export async function readForwarderCursor(sql: Sql, name: string): Promise<number> {
  // The row exists from the first look on, so every later write is a plain UPDATE.
  await sql.query('INSERT INTO audit_forwarder_cursors (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
  const { rows } = await sql.query<{ last: string }>('SELECT last_leaf_index::text AS last FROM audit_forwarder_cursors WHERE name = $1', [name]);
  return Number(rows[0]?.last ?? '-1');
}

/**
 * Moves the cursor forward to `lastLeafIndex` (never back: GREATEST, so a forwarder that lost its
 * lock and saves late cannot rewind one that took over). Returns the cursor as stored.
 */
export async function advanceForwarderCursor(
  sql: Sql,
  cursor: { name: string; lastLeafIndex: number; destination: string; gatewayId: string },
): Promise<number> {
  const { rows } = await sql.query<{ last: string }>(
    `UPDATE audit_forwarder_cursors
        SET last_leaf_index = GREATEST(last_leaf_index, $2::bigint), destination = $3, gateway_id = $4, updated_at = now()
      WHERE name = $1
      RETURNING last_leaf_index::text AS last`,
    [cursor.name, cursor.lastLeafIndex, cursor.destination, cursor.gatewayId],
  );
  const stored = rows[0]?.last;
  if (stored === undefined) throw new Error(`audit forwarder cursor ${cursor.name} is missing`);
  return Number(stored);
}

/**
 * Sealed leaves not yet handed to the destination: the latest checkpoint's size minus the cursor.
 * Any gateway can read it (not only the forwarding one), so every gateway's metric shows the lag.
 */
export async function readForwarderLag(sql: Sql, name: string): Promise<{ lagLeaves: number; lastLeafIndex: number; treeSize: number }> {
  const { rows } = await sql.query<{ tree_size: string; last: string }>(
    `SELECT (SELECT COALESCE(max(tree_size), 0) FROM audit_checkpoints)::text AS tree_size,
            COALESCE((SELECT last_leaf_index FROM audit_forwarder_cursors WHERE name = $1), -1)::text AS last`,
    [name],
  );
  const treeSize = Number(rows[0]?.tree_size ?? '0');
  const lastLeafIndex = Number(rows[0]?.last ?? '-1');
  return { lagLeaves: Math.max(0, treeSize - 1 - lastLeafIndex), lastLeafIndex, treeSize };
}
