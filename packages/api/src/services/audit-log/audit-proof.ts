import {
  appendLeaf,
  auditLeafHash,
  emptyMerkleFrontier,
  frontierRoot,
  openSignedNote,
  parseVerifierKey,
  verifierKey,
  verifyInclusion,
  type MerkleFrontier,
} from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import { readAuditPublicKey } from './audit-key';
import { leafEntryOf, sealedColumns, type SealedRow } from './audit-rows';
import { readLatestCheckpoint, readLeafHashes } from './audit-tree';
import { explainMissingAuditEvent } from './retention';

type Sql = Pick<SqlClient, 'query'>;

/**
 * `holdfast audit proof <event>`: everything needed to check, offline and with nothing else, that
 * an audit event is in the deployment's signed log — the event's canonical leaf entry, its leaf
 * index, the inclusion proof, the latest signed checkpoint and the C2SP verifier key.
 */
export interface AuditInclusionProof {
  format: 'holdfast-audit-proof/v1';
  auditEventId: string;
  eventId: string;
  leafIndex: number;
  /** base64 of core auditLeafEntry(row): hash it (auditLeafHash) to get the leaf. */
  leafEntry: string;
  /** base64 hashes, leaf to root (RFC 9162 §2.1.3). */
  inclusionProof: string[];
  /** The tree size the proof is for: the checkpoint's (repeated from it for readability). */
  treeSize: number;
  /** The C2SP signed note of the latest checkpoint. */
  checkpoint: string;
  /** C2SP verifier key (`<name>+<key id>+<base64(0x01 ‖ public key)>`). */
  verifierKey: string;
}

export class AuditProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditProofError';
  }
}

/** An audit event by its row id (digits) or its event id (UUID). */
function eventCondition(reference: string): { where: string; value: string } {
  if (/^\d{1,19}$/.test(reference)) return { where: 'e.id = $1::bigint', value: reference };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(reference)) return { where: 'e.event_id = $1::uuid', value: reference };
  throw new AuditProofError(`"${reference}" is neither an audit event id (digits) nor an event id (UUID)`);
}

/** A half-open range of leaf indexes [start, end): one node of the tree, whose root a proof carries. */
export interface LeafRange {
  start: number;
  end: number;
}

/** The split point of RFC 6962: the largest power of two strictly below n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The subtrees whose roots are the inclusion proof of `leafIndex` in the tree of `treeSize` leaves,
 * leaf to root (RFC 9162 §2.1.3.1 PATH, as core `inclusionProof` walks it): at most ⌈log2 n⌉
 * disjoint ranges that, with the leaf itself, cover 0..treeSize-1.
 */
export function inclusionProofRanges(leafIndex: number, treeSize: number): LeafRange[] {
  if (!Number.isSafeInteger(treeSize) || !Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
    throw new AuditProofError(`leaf ${String(leafIndex)} is not in a tree of ${String(treeSize)} leaves`);
  }
  const ranges: LeafRange[] = [];
  let m = leafIndex;
  let start = 0;
  let end = treeSize;
  // Root to leaf, then reversed: the proof lists the leaf's sibling first.
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (m < k) {
      ranges.push({ start: start + k, end });
      end = start + k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return ranges.reverse();
}

/** Leaf hashes of indexes from..to-1, in order (audit-tree readLeafHashes, or an array in tests). */
export type ReadLeafHashes = (from: number, to: number) => Promise<Uint8Array[]>;

/** Leaves read per query while a proof is built: 10k × 32 bytes, whatever the tree's size. */
export const proofChunkLeaves = 10_000;

const nextTurn = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

/**
 * The inclusion proof of `leafIndex`, equal to core `inclusionProof(allLeafHashes, leafIndex,
 * treeSize)`, computed with O(log n) memory: the leaves are read in chunks of `chunkSize` and
 * folded, each into the range (inclusionProofRanges) it belongs to, by the sealer's frontier
 * (core appendLeaf / frontierRoot — the MTH of a range is the MTH of its leaves alone, so a fresh
 * frontier per range gives its subtree root). The ranges are disjoint and ordered, so one frontier
 * is open at a time. The event loop gets a turn between chunks: a proof over millions of leaves
 * must not stall the logins the same gateway worker serves. Still O(n) reads and hashes: callers
 * on a request path bound how many run at once (admin.audit.get: one per process).
 */
export async function streamInclusionProof(options: {
  leafIndex: number;
  treeSize: number;
  readLeafHashes: ReadLeafHashes;
  chunkSize?: number;
  signal?: AbortSignal;
}): Promise<Uint8Array[]> {
  const { leafIndex, treeSize } = options;
  const chunkSize = Math.max(1, Math.trunc(options.chunkSize ?? proofChunkLeaves));
  const ranges = inclusionProofRanges(leafIndex, treeSize);
  const byStart = ranges.map((range, position) => ({ ...range, position })).sort((x, y) => x.start - y.start);
  const roots: (Uint8Array | undefined)[] = ranges.map(() => undefined);
  let current = 0;
  let frontier: MerkleFrontier = emptyMerkleFrontier;
  for (let from = 0; from < treeSize; from += chunkSize) {
    if (options.signal?.aborted === true) throw new AuditProofError('the proof was abandoned (the request went away)');
    const to = Math.min(from + chunkSize, treeSize);
    const hashes = await options.readLeafHashes(from, to);
    if (hashes.length !== to - from) throw new AuditProofError(`leaves ${String(from)}..${String(to - 1)} could not be read whole`);
    for (let offset = 0; offset < hashes.length; offset += 1) {
      const index = from + offset;
      // The proven leaf is in no range: the verifier hashes it from the entry.
      if (index === leafIndex) continue;
      const range = byStart[current];
      const hash = hashes[offset];
      if (range === undefined || hash === undefined || index < range.start || index >= range.end) {
        throw new AuditProofError(`leaf ${String(index)} falls outside the proof's ranges`);
      }
      frontier = appendLeaf(frontier, hash);
      if (index === range.end - 1) {
        roots[range.position] = frontierRoot(frontier);
        frontier = emptyMerkleFrontier;
        current += 1;
      }
    }
    if (to < treeSize) await nextTurn();
  }
  return roots.map((root, position) => {
    if (root === undefined) throw new AuditProofError(`the proof's node ${String(position)} was not computed`);
    return root;
  });
}

/**
 * Builds the proof against the latest checkpoint. Reads every leaf hash of the tree, but in
 * chunks (streamInclusionProof): O(n) time, O(log n) memory — the CLI and admin.audit.get alike.
 */
export async function buildAuditInclusionProof(options: { sql: Sql; reference: string; signal?: AbortSignal }): Promise<AuditInclusionProof> {
  const { sql } = options;
  const condition = eventCondition(options.reference);
  const { rows } = await sql.query<SealedRow & { leaf_index: string | null }>(
    `SELECT ${sealedColumns}, l.leaf_index::text AS leaf_index
       FROM audit_events e LEFT JOIN audit_leaves l ON l.audit_event_id = e.id
      WHERE ${condition.where}`,
    [condition.value],
  );
  const row = rows[0];
  // Pruned by retention, deleted, or never there: the message says which (retention.ts).
  if (row === undefined) throw new AuditProofError(await explainMissingAuditEvent(sql, options.reference));
  if (row.leaf_index === null) throw new AuditProofError(`audit event ${row.id} is not sealed yet (the sealer runs every second): try again`);
  const leafIndex = Number(row.leaf_index);
  const key = await readAuditPublicKey(sql);
  const checkpoint = await readLatestCheckpoint(sql);
  if (key === undefined || checkpoint === undefined || checkpoint.treeSize <= leafIndex) {
    throw new AuditProofError(`no checkpoint covers leaf ${String(leafIndex)} yet: try again`);
  }
  const path = await streamInclusionProof({
    leafIndex,
    treeSize: checkpoint.treeSize,
    readLeafHashes: (from, to) => readLeafHashes(sql, from, to),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const entry = leafEntryOf(row);
  const proof: AuditInclusionProof = {
    format: 'holdfast-audit-proof/v1',
    auditEventId: row.id,
    eventId: row.event_id,
    leafIndex,
    leafEntry: Buffer.from(entry).toString('base64'),
    inclusionProof: path.map((hash) => Buffer.from(hash).toString('base64')),
    treeSize: checkpoint.treeSize,
    checkpoint: checkpoint.note,
    verifierKey: verifierKey(key.keyName, key.publicKey),
  };
  // Never hand out a proof that does not verify (a row edited after sealing fails here).
  if (!verifyAuditInclusionProof(proof))
    throw new AuditProofError(`audit event ${row.id} does not verify against checkpoint ${String(checkpoint.treeSize)}: run holdfast audit verify`);
  return proof;
}

/**
 * The offline check of a proof, with nothing but the proof (and core): the checkpoint's signature
 * with the verifier key (core openSignedNote, which also checks the key id), then the inclusion of
 * the entry's leaf hash at its index in the checkpoint's tree (core verifyInclusion). A verifier
 * that already holds the deployment's verifier key should compare it with `proof.verifierKey`.
 */
export function verifyAuditInclusionProof(proof: AuditInclusionProof): boolean {
  const key = parseVerifierKey(proof.verifierKey);
  if (key === null) return false;
  const opened = openSignedNote({ note: proof.checkpoint, keyName: key.keyName, publicKey: key.publicKey });
  if (opened === null || opened.treeSize !== proof.treeSize) return false;
  return verifyInclusion({
    leafHash: auditLeafHash(new Uint8Array(Buffer.from(proof.leafEntry, 'base64'))),
    leafIndex: proof.leafIndex,
    treeSize: opened.treeSize,
    proof: proof.inclusionProof.map((hash) => new Uint8Array(Buffer.from(hash, 'base64'))),
    rootHash: opened.rootHash,
  });
}
