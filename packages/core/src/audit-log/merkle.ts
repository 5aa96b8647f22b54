import { createHash } from 'node:crypto';

import { HoldfastError } from '../errors';

/**
 * RFC 6962 / RFC 9162 §2.1 Merkle Tree Hash over SHA-256, exactly as Certificate Transparency and
 * the C2SP transparency logs compute it, so any standard verifier (Go's transparency-dev/merkle,
 * certificate-transparency-go, sigsum) checks our proofs unchanged:
 *
 *   MTH({})       = SHA-256()                                (the empty tree)
 *   MTH({d0})     = SHA-256(0x00 ‖ d0)                        (leaf hash)
 *   MTH(D[n])     = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))  k = largest power of two < n
 *
 * The 0x00 / 0x01 prefixes separate leaves from interior nodes (no leaf can pose as a subtree: the
 * second-preimage attack on naive Merkle trees). Every hash is 32 bytes, and node inputs are
 * checked to be so: with shorter inputs `0x01 ‖ l ‖ r` would no longer say where l ends.
 *
 * Sizes and indexes are JavaScript numbers (safe integers, 2^53): the bit tricks of the RFC's
 * verification algorithms are written with `% 2` and `Math.floor(x / 2)`, because `&` and `>>`
 * would silently truncate to 32 bits past four billion leaves.
 *
 * Generators (`merkleRoot`, `inclusionProof`, `consistencyProof`, `appendLeaf`) throw BAD_REQUEST
 * on impossible arguments: that is a caller's bug. Verifiers (`verifyInclusion`,
 * `verifyConsistency`) never throw: anything malformed is simply `false`.
 */

export const auditHashLength = 32;

/**
 * The state the sealer keeps between checkpoints (Russ Cox's "tlog" frontier; a "compact range"
 * from 0 in transparency-dev/merkle): the roots of the perfect subtrees that make up the tree,
 * largest (leftmost) first — one per set bit of `size`. Enough to append leaves and compute the
 * root without reading any older leaf.
 */
export interface MerkleFrontier {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

export const emptyMerkleFrontier: MerkleFrontier = Object.freeze({ size: 0, hashes: Object.freeze([]) });

const leafPrefix = Uint8Array.of(0x00);
const nodePrefix = Uint8Array.of(0x01);

function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  const digest = hash.digest();
  // A plain Uint8Array view (no copy): callers compare hashes with toEqual / byte loops, not Buffer methods.
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

const emptyTreeHash = sha256();

/** The root of the empty tree: SHA-256 of nothing (e3b0c442…). A fresh copy each call. */
export function emptyMerkleRoot(): Uint8Array {
  return emptyTreeHash.slice();
}

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ entry). `entry` is the canonical leaf bytes (auditLeafEntry). */
export function auditLeafHash(entry: Uint8Array): Uint8Array {
  if (!(entry instanceof Uint8Array)) throw new HoldfastError('BAD_REQUEST', 'A Merkle leaf entry must be bytes');
  return sha256(leafPrefix, entry);
}

/** RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right), both children 32-byte hashes. */
export function auditNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  requireHash(left, 'left child');
  requireHash(right, 'right child');
  return sha256(nodePrefix, left, right);
}

/** MTH over the given leaf hashes (not entries). O(n) hashes, O(log n) memory. */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  let frontier = emptyMerkleFrontier;
  for (const leafHash of leafHashes) frontier = appendLeaf(frontier, leafHash);
  return frontierRoot(frontier);
}

/**
 * RFC 9162 §2.1.3.1 (RFC 6962 §2.1.1 PATH): the sibling hashes from the leaf up to the root of the
 * tree made of the first `treeSize` leaf hashes. Empty for a one-leaf tree.
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], leafIndex: number, treeSize: number): Uint8Array[] {
  requireTreeSize(leafHashes, treeSize);
  if (!isIndex(leafIndex) || leafIndex >= treeSize) {
    throw new HoldfastError('BAD_REQUEST', `Leaf index ${String(leafIndex)} is not in a tree of ${String(treeSize)} leaves`);
  }
  const proof: Uint8Array[] = [];
  collectPath(leafHashes, leafIndex, 0, treeSize, proof);
  return proof;
}

/**
 * RFC 9162 §2.1.4.1 (RFC 6962 §2.1.2 PROOF / SUBPROOF): the hashes that prove the tree of
 * `oldSize` leaves is a prefix of the tree of `newSize` leaves. Empty when oldSize is 0 or equals
 * newSize (those need no proof; the verifier checks the roots directly).
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], oldSize: number, newSize: number): Uint8Array[] {
  requireTreeSize(leafHashes, newSize);
  if (!isIndex(oldSize) || oldSize > newSize) {
    throw new HoldfastError('BAD_REQUEST', `Old tree size ${String(oldSize)} is not within 0..${String(newSize)}`);
  }
  const proof: Uint8Array[] = [];
  if (oldSize > 0 && oldSize < newSize) collectSubproof(leafHashes, oldSize, 0, newSize, true, proof);
  return proof;
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show the leaf with this hash at `leafIndex` in the tree of
 * `treeSize` leaves whose root is `rootHash`? `treeSize` and `rootHash` must come from the same
 * signed checkpoint: a proof binds the leaf's position only through the shape of its path, so a
 * bearer must never be the one to name the size (see the aliasing test in merkle.test.ts).
 */
export function verifyInclusion({
  leafHash,
  leafIndex,
  treeSize,
  proof,
  rootHash,
}: {
  leafHash: Uint8Array;
  leafIndex: number;
  treeSize: number;
  proof: readonly Uint8Array[];
  rootHash: Uint8Array;
}): boolean {
  if (!isIndex(leafIndex) || !isIndex(treeSize) || leafIndex >= treeSize) return false;
  if (!isHash(leafHash) || !isHash(rootHash) || !isProof(proof)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    // More proof than levels: the proof is for another tree.
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(nodePrefix, p, r);
      // The right edge of a tree that is not a power of two: levels where the node has no sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = sha256(nodePrefix, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, rootHash);
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `oldSize` leaves with root `oldRoot` is a
 * prefix of the tree of `newSize` leaves with root `newRoot` — i.e. nothing signed before was
 * edited, removed or reordered? Stricter than the RFC at the edges: size 0 must come with the
 * empty-tree root (a checkpoint of an empty log that names another root is nonsense), and equal
 * sizes need equal roots and an empty proof.
 */
export function verifyConsistency({
  oldSize,
  newSize,
  oldRoot,
  newRoot,
  proof,
}: {
  oldSize: number;
  newSize: number;
  oldRoot: Uint8Array;
  newRoot: Uint8Array;
  proof: readonly Uint8Array[];
}): boolean {
  if (!isIndex(oldSize) || !isIndex(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !isProof(proof)) return false;
  if (oldSize === 0) return proof.length === 0 && bytesEqual(oldRoot, emptyTreeHash) && (newSize > 0 || bytesEqual(newRoot, emptyTreeHash));
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (proof.length === 0) return false;

  // When the old tree is a perfect subtree its root is a node of the new tree, and the proof omits it.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = sha256(nodePrefix, c, fr);
      sr = sha256(nodePrefix, c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = sha256(nodePrefix, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot);
}

/**
 * The frontier after one more leaf: the new leaf merges with each perfect subtree of its own size,
 * as a binary counter carries (one merge per trailing 1 bit of the old size). Returns a new value;
 * the frontier passed in is not changed (a sealer may still hold it for a rollback).
 */
export function appendLeaf(frontier: MerkleFrontier, leafHash: Uint8Array): MerkleFrontier {
  requireFrontier(frontier);
  requireHash(leafHash, 'leaf hash');
  if (frontier.size >= Number.MAX_SAFE_INTEGER) throw new HoldfastError('BAD_REQUEST', 'The Merkle tree is full');
  const hashes = frontier.hashes.slice();
  let carry = leafHash;
  let size = frontier.size;
  while (size % 2 === 1) {
    const left = hashes.pop();
    if (left === undefined) throw new HoldfastError('BAD_REQUEST', 'Merkle frontier has fewer hashes than its size needs');
    carry = sha256(nodePrefix, left, carry);
    size = (size - 1) / 2;
  }
  hashes.push(carry);
  return { size: frontier.size + 1, hashes };
}

/** MTH of the tree the frontier describes: the subtree roots folded from the right. */
export function frontierRoot(frontier: MerkleFrontier): Uint8Array {
  requireFrontier(frontier);
  const { hashes } = frontier;
  let root = hashes.at(-1);
  if (root === undefined) return emptyMerkleRoot();
  for (let i = hashes.length - 2; i >= 0; i -= 1) root = sha256(nodePrefix, at(hashes, i), root);
  return hashes.length === 1 ? root.slice() : root;
}

/**
 * Is this a well-formed frontier (for a sealer reading one back from storage)? A safe-integer size
 * and exactly one 32-byte hash per set bit of it. It cannot tell whether the hashes are the right
 * ones: that is what the checkpoint signature and the consistency proofs are for.
 */
export function isMerkleFrontier(value: unknown): value is MerkleFrontier {
  if (typeof value !== 'object' || value === null) return false;
  const { size, hashes } = value as { size?: unknown; hashes?: unknown };
  if (typeof size !== 'number' || !isIndex(size) || !Array.isArray(hashes)) return false;
  return hashes.length === bitCount(size) && hashes.every(isHash);
}

function collectPath(leaves: readonly Uint8Array[], m: number, start: number, end: number, out: Uint8Array[]): void {
  const n = end - start;
  if (n === 1) return;
  const k = largestPowerOfTwoBelow(n);
  if (m < k) {
    collectPath(leaves, m, start, start + k, out);
    out.push(subtreeRoot(leaves, start + k, end));
  } else {
    collectPath(leaves, m - k, start + k, end, out);
    out.push(subtreeRoot(leaves, start, start + k));
  }
}

function collectSubproof(leaves: readonly Uint8Array[], m: number, start: number, end: number, isWholeOldTree: boolean, out: Uint8Array[]): void {
  const n = end - start;
  if (m === n) {
    // The old tree's own root is left out: the verifier has it already (RFC 6962 SUBPROOF, b = true).
    if (!isWholeOldTree) out.push(subtreeRoot(leaves, start, end));
    return;
  }
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    collectSubproof(leaves, m, start, start + k, isWholeOldTree, out);
    out.push(subtreeRoot(leaves, start + k, end));
  } else {
    collectSubproof(leaves, m - k, start + k, end, false, out);
    out.push(subtreeRoot(leaves, start, start + k));
  }
}

function subtreeRoot(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 1) return at(leaves, start);
  const k = largestPowerOfTwoBelow(n);
  return sha256(nodePrefix, subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** The split point of RFC 6962: the largest power of two strictly below n (n ≥ 2). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  let rest = n;
  while (rest > 1 && rest % 2 === 0) rest /= 2;
  return rest === 1;
}

function bitCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

function isIndex(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === auditHashLength;
}

function isProof(proof: unknown): proof is readonly Uint8Array[] {
  // 64 levels cover any safe-integer tree size; a longer "proof" is garbage, whatever it holds.
  return Array.isArray(proof) && proof.length <= 64 && proof.every(isHash);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function at(hashes: readonly Uint8Array[], index: number): Uint8Array {
  const hash = hashes[index];
  if (hash === undefined) throw new HoldfastError('BAD_REQUEST', `No Merkle hash at ${String(index)}`);
  return hash;
}

function requireHash(value: unknown, name: string): asserts value is Uint8Array {
  if (!isHash(value)) throw new HoldfastError('BAD_REQUEST', `Merkle ${name} must be a ${String(auditHashLength)}-byte hash`);
}

function requireTreeSize(leafHashes: readonly Uint8Array[], treeSize: number): void {
  if (!isIndex(treeSize) || treeSize === 0 || treeSize > leafHashes.length) {
    throw new HoldfastError('BAD_REQUEST', `Tree size ${String(treeSize)} needs 1..${String(leafHashes.length)} leaf hashes`);
  }
  for (let i = 0; i < treeSize; i += 1) requireHash(leafHashes[i], `leaf hash ${String(i)}`);
}

function requireFrontier(frontier: MerkleFrontier): void {
  if (!isMerkleFrontier(frontier)) throw new HoldfastError('BAD_REQUEST', 'Not a Merkle frontier: one 32-byte hash per set bit of its size');
}
