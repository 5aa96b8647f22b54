import { checkpointNote, openSignedNote, signNote } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import type { KeyObject } from 'node:crypto';
import type { AuditSigningKey } from './audit-key';

type Sql = Pick<SqlClient, 'query'>;

/**
 * Audit retention (issue 12): old audit rows are deleted only below a signed "pruned below N" mark.
 *
 * The mark is a C2SP checkpoint of a tree head the sealer already signed (a stored checkpoint's
 * size and root) with one extension line, `pruned-below <N>`, signed by the deployment's audit key
 * — opened with the keyring, as the sealer opens it. So only the key holder can authorise a hole:
 * a database superuser (or the migrator role) can delete rows, but not make `holdfast audit verify`
 * accept their absence. Any C2SP tool reads the mark as an ordinary checkpoint of that tree head
 * (extension lines are opaque to them), which is true, so it can never be misused as one.
 *
 * The leaves (32-byte hashes) and checkpoints stay: inclusion proofs of later events, the gateways'
 * history check (which reads only leaves) and consistency between checkpoints are unchanged.
 */
export const prunedBelowExtension = 'pruned-below';

/** The signed note of a prune mark: the checkpoint of (treeSize, rootHash) + `pruned-below <N>`. */
export function signPruneMark(options: {
  key: Pick<AuditSigningKey, 'keyName' | 'privateKey'>;
  treeSize: number;
  rootHash: Uint8Array;
  prunedBelow: number;
}): string {
  const { key, treeSize, rootHash, prunedBelow } = options;
  if (!Number.isSafeInteger(prunedBelow) || prunedBelow <= 0 || prunedBelow > treeSize) {
    throw new Error(`a prune mark names 1..tree size (${String(treeSize)}), not ${String(prunedBelow)}`);
  }
  return signNote({
    body: checkpointNote({ origin: key.keyName, treeSize, rootHash, extensions: [`${prunedBelowExtension} ${String(prunedBelow)}`] }),
    keyName: key.keyName,
    privateKey: key.privateKey,
  });
}

export interface OpenedPruneMark {
  treeSize: number;
  rootHash: Uint8Array;
  prunedBelow: number;
}

/**
 * The mark in a signed note, if `keyName`'s key signed it, its origin is that key's log, and its
 * body carries exactly one `pruned-below <N>` line with 0 < N <= tree size. Null otherwise (a
 * plain checkpoint, another key's note, a forged line); never throws.
 */
export function openPruneMark(options: { note: string; keyName: string; publicKey: KeyObject }): OpenedPruneMark | null {
  const opened = openSignedNote({ note: options.note, keyName: options.keyName, publicKey: options.publicKey, origin: options.keyName });
  if (opened === null) return null;
  const lines = opened.extensions.filter((line) => line.startsWith(`${prunedBelowExtension} `));
  const [line] = lines;
  if (lines.length !== 1 || line === undefined) return null;
  const match = /^pruned-below (0|[1-9][0-9]*)$/u.exec(line);
  const prunedBelow = Number(match?.[1]);
  if (match === null || !Number.isSafeInteger(prunedBelow) || prunedBelow <= 0 || prunedBelow > opened.treeSize) return null;
  return { treeSize: opened.treeSize, rootHash: opened.rootHash, prunedBelow };
}

/** A stored prune mark (table audit_prune_marks). */
export interface StoredPruneMark {
  prunedBelow: number;
  treeSize: number;
  rootHash: Uint8Array;
  note: string;
  keyName: string;
  prunedBefore: Date;
  deletedRows: number;
  keptRows: number;
  createdAt: Date;
}

interface PruneMarkRow {
  pruned_below: string;
  tree_size: string;
  root_hash: Buffer;
  note: string;
  key_name: string;
  pruned_before: Date;
  deleted_rows: string;
  kept_rows: string;
  created_at: Date;
}

/** Every stored mark, lowest N first. */
export async function readPruneMarks(sql: Sql): Promise<StoredPruneMark[]> {
  const { rows } = await sql.query<PruneMarkRow>(
    `SELECT m.pruned_below::text AS pruned_below, m.tree_size::text AS tree_size, m.root_hash, m.note, m.key_name, m.pruned_before,
            m.deleted_rows::text AS deleted_rows, m.kept_rows::text AS kept_rows, m.created_at
       FROM audit_prune_marks m ORDER BY m.pruned_below`,
  );
  return rows.map((row) => ({
    prunedBelow: Number(row.pruned_below),
    treeSize: Number(row.tree_size),
    rootHash: new Uint8Array(row.root_hash),
    note: row.note,
    keyName: row.key_name,
    prunedBefore: row.pruned_before,
    deletedRows: Number(row.deleted_rows),
    keptRows: Number(row.kept_rows),
    createdAt: row.created_at,
  }));
}
