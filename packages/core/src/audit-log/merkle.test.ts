import { createHash } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  appendLeaf,
  auditLeafHash,
  auditNodeHash,
  consistencyProof,
  emptyMerkleFrontier,
  emptyMerkleRoot,
  frontierRoot,
  inclusionProof,
  isMerkleFrontier,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
  type MerkleFrontier,
} from './merkle';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// The RFC 6962 test data of Go's transparency-dev/merkle (testonly/constants.go, proof/verify_test.go),
// also certificate-transparency-go's: 8 leaf inputs, every node hash, the root of every prefix.
const leafInputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
/** Node hashes by level (0 = leaf hashes) and position. */
const nodeHashes = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
/** Root of the tree of the first n leaves, n = 0..8. */
const rootsBySize = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
/** The published inclusion proofs (Go's vectors count leaves from 1; these are 0-based). */
const knownInclusionProofs = [
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leafIndex: 2, treeSize: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const knownConsistencyProofs = [
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    oldSize: 6,
    newSize: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
/** Frontier hashes after n appends (Go's testonly CompactTrees), as [level, position] of nodeHashes. */
const knownFrontiers: [number, number][][] = [
  [],
  [[0, 0]],
  [[1, 0]],
  [
    [1, 0],
    [0, 2],
  ],
  [[2, 0]],
  [
    [2, 0],
    [0, 4],
  ],
  [
    [2, 0],
    [1, 2],
  ],
  [
    [2, 0],
    [1, 2],
    [0, 6],
  ],
  [[3, 0]],
];

const vectorLeafHashes = leafInputs.map(auditLeafHash);
const rootOf = (size: number): Uint8Array => hex(rootsBySize[size] ?? '');
const nodeAt = (level: number, position: number): string => nodeHashes[level]?.[position] ?? '';

describe('RFC 6962 hashing (published vectors)', () => {
  it('hashes leaves as SHA-256(0x00 ‖ entry) and nodes as SHA-256(0x01 ‖ left ‖ right)', () => {
    expect(vectorLeafHashes.map(toHex)).toEqual(nodeHashes[0]);
    const manualLeaf = createHash('sha256').update(Uint8Array.of(0x00)).update(hex('2021')).digest('hex');
    expect(toHex(auditLeafHash(hex('2021')))).toBe(manualLeaf);
    for (let level = 1; level < nodeHashes.length; level += 1) {
      (nodeHashes[level] ?? []).forEach((expected, position) => {
        const left = hex(nodeAt(level - 1, position * 2));
        const right = hex(nodeAt(level - 1, position * 2 + 1));
        expect(toHex(auditNodeHash(left, right))).toBe(expected);
      });
    }
  });

  it('gives the known root of every prefix, the empty tree included', () => {
    for (let size = 0; size <= 8; size += 1) {
      expect(toHex(merkleRoot(vectorLeafHashes.slice(0, size))), `size ${String(size)}`).toBe(rootsBySize[size]);
    }
    expect(toHex(emptyMerkleRoot())).toBe(createHash('sha256').digest('hex'));
  });

  it('generates and verifies the known inclusion proofs', () => {
    for (const { leafIndex, treeSize, proof } of knownInclusionProofs) {
      const generated = inclusionProof(vectorLeafHashes, leafIndex, treeSize);
      expect(generated.map(toHex), `${String(leafIndex)} in ${String(treeSize)}`).toEqual(proof);
      const leafHash = vectorLeafHashes[leafIndex] ?? new Uint8Array();
      expect(verifyInclusion({ leafHash, leafIndex, treeSize, proof: proof.map(hex), rootHash: rootOf(treeSize) })).toBe(true);
    }
  });

  it('generates and verifies the known consistency proofs', () => {
    for (const { oldSize, newSize, proof } of knownConsistencyProofs) {
      expect(consistencyProof(vectorLeafHashes, oldSize, newSize).map(toHex), `${String(oldSize)} → ${String(newSize)}`).toEqual(proof);
      expect(verifyConsistency({ oldSize, newSize, oldRoot: rootOf(oldSize), newRoot: rootOf(newSize), proof: proof.map(hex) })).toBe(true);
    }
  });

  it('keeps exactly the known perfect-subtree roots in the frontier after each append', () => {
    let frontier = emptyMerkleFrontier;
    for (let size = 0; size <= 8; size += 1) {
      expect(frontier.size).toBe(size);
      expect(frontier.hashes.map(toHex)).toEqual((knownFrontiers[size] ?? []).map(([level, position]) => nodeAt(level, position)));
      expect(toHex(frontierRoot(frontier))).toBe(rootsBySize[size]);
      const next = vectorLeafHashes[size];
      if (next !== undefined) frontier = appendLeaf(frontier, next);
    }
  });
});

describe('verifiers refuse nonsense with false, never an exception', () => {
  const someHash = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
  const leaf0 = vectorLeafHashes[0] ?? new Uint8Array();

  it('refuses impossible indexes and sizes', () => {
    for (const [leafIndex, treeSize] of [
      [0, 0],
      [1, 0],
      [2, 1],
      [1, 1],
      [-1, 4],
      [0.5, 4],
      [Number.NaN, 4],
      [0, Number.POSITIVE_INFINITY],
      [0, 2 ** 53],
    ] as const) {
      expect(verifyInclusion({ leafHash: leaf0, leafIndex, treeSize, proof: [], rootHash: leaf0 }), `${String(leafIndex)}/${String(treeSize)}`).toBe(false);
    }
    expect(verifyConsistency({ oldSize: 2, newSize: 1, oldRoot: rootOf(2), newRoot: rootOf(1), proof: [] })).toBe(false);
    expect(verifyConsistency({ oldSize: 1, newSize: 0, oldRoot: rootOf(1), newRoot: rootOf(0), proof: [] })).toBe(false);
    expect(verifyConsistency({ oldSize: -1, newSize: 2, oldRoot: rootOf(0), newRoot: rootOf(2), proof: [] })).toBe(false);
  });

  it('refuses hashes of the wrong length and proofs that are not lists of hashes', () => {
    expect(verifyInclusion({ leafHash: leaf0, leafIndex: 0, treeSize: 1, proof: [], rootHash: leaf0 })).toBe(true);
    expect(verifyInclusion({ leafHash: new Uint8Array(), leafIndex: 0, treeSize: 1, proof: [], rootHash: leaf0 })).toBe(false);
    expect(verifyInclusion({ leafHash: leaf0, leafIndex: 0, treeSize: 1, proof: [], rootHash: new Uint8Array() })).toBe(false);
    expect(verifyInclusion({ leafHash: leaf0, leafIndex: 0, treeSize: 1, proof: [], rootHash: leaf0.subarray(0, 31) })).toBe(false);
    const proof = inclusionProof(vectorLeafHashes, 0, 8);
    const garbage = [new Uint8Array(), ...proof] as Uint8Array[];
    expect(verifyInclusion({ leafHash: leaf0, leafIndex: 0, treeSize: 8, proof: garbage, rootHash: rootOf(8) })).toBe(false);
    const notAList = 'proof' as unknown as Uint8Array[];
    expect(verifyInclusion({ leafHash: leaf0, leafIndex: 0, treeSize: 8, proof: notAList, rootHash: rootOf(8) })).toBe(false);
    expect(verifyConsistency({ oldSize: 1, newSize: 8, oldRoot: rootOf(1), newRoot: rootOf(8), proof: notAList })).toBe(false);
    const long = Array.from({ length: 65 }, () => someHash);
    expect(verifyConsistency({ oldSize: 1, newSize: 8, oldRoot: rootOf(1), newRoot: rootOf(8), proof: long })).toBe(false);
  });

  it('handles the trivial consistency cases strictly (Go TestVerifyConsistency, plus the empty-root rule)', () => {
    const empty = rootOf(0);
    // Equal sizes: equal roots and no proof.
    expect(verifyConsistency({ oldSize: 0, newSize: 0, oldRoot: empty, newRoot: empty, proof: [] })).toBe(true);
    expect(verifyConsistency({ oldSize: 1, newSize: 1, oldRoot: rootOf(1), newRoot: rootOf(1), proof: [] })).toBe(true);
    expect(verifyConsistency({ oldSize: 1, newSize: 1, oldRoot: rootOf(1), newRoot: someHash, proof: [] })).toBe(false);
    expect(verifyConsistency({ oldSize: 1, newSize: 1, oldRoot: rootOf(1), newRoot: rootOf(1), proof: [empty] })).toBe(false);
    expect(verifyConsistency({ oldSize: 0, newSize: 0, oldRoot: someHash, newRoot: someHash, proof: [] })).toBe(false);
    // From the empty tree: anything follows, but only from the real empty root and with no proof.
    expect(verifyConsistency({ oldSize: 0, newSize: 5, oldRoot: empty, newRoot: rootOf(5), proof: [] })).toBe(true);
    expect(verifyConsistency({ oldSize: 0, newSize: 5, oldRoot: someHash, newRoot: rootOf(5), proof: [] })).toBe(false);
    expect(verifyConsistency({ oldSize: 0, newSize: 1, oldRoot: empty, newRoot: rootOf(1), proof: [empty] })).toBe(false);
    // A real growth always needs a proof.
    expect(verifyConsistency({ oldSize: 1, newSize: 2, oldRoot: rootOf(1), newRoot: rootOf(2), proof: [] })).toBe(false);
  });
});

describe('generators refuse impossible requests', () => {
  it('throws BAD_REQUEST for indexes and sizes outside the leaves given', () => {
    expect(() => inclusionProof(vectorLeafHashes, 8, 8)).toThrow(/not in a tree/u);
    expect(() => inclusionProof(vectorLeafHashes, 0, 9)).toThrow(/needs 1\.\.8/u);
    expect(() => inclusionProof(vectorLeafHashes, 0, 0)).toThrow(/needs 1\.\.8/u);
    expect(() => inclusionProof(vectorLeafHashes, -1, 4)).toThrow(/not in a tree/u);
    expect(() => consistencyProof(vectorLeafHashes, 5, 4)).toThrow(/not within/u);
    expect(() => consistencyProof(vectorLeafHashes, 2, 9)).toThrow(/needs 1\.\.8/u);
    expect(() => merkleRoot([new Uint8Array(31)])).toThrow(/32-byte/u);
    expect(() => auditNodeHash(new Uint8Array(32), new Uint8Array(33))).toThrow(/32-byte/u);
  });

  it('rejects malformed frontiers instead of computing a wrong root', () => {
    const bad: MerkleFrontier[] = [
      { size: 3, hashes: [new Uint8Array(32)] },
      { size: 1, hashes: [new Uint8Array(31)] },
      { size: -1, hashes: [] },
      { size: 0, hashes: [new Uint8Array(32)] },
    ];
    for (const frontier of bad) {
      expect(isMerkleFrontier(frontier)).toBe(false);
      expect(() => frontierRoot(frontier)).toThrow(/frontier/u);
      expect(() => appendLeaf(frontier, new Uint8Array(32))).toThrow(/frontier/u);
    }
    expect(isMerkleFrontier(null)).toBe(false);
    expect(isMerkleFrontier({ size: 2, hashes: [new Uint8Array(32)] })).toBe(true);
  });

  it('never changes the frontier it was given, nor lets a root alias a stored hash', () => {
    const one = appendLeaf(emptyMerkleFrontier, vectorLeafHashes[0] ?? new Uint8Array());
    const two = appendLeaf(one, vectorLeafHashes[1] ?? new Uint8Array());
    expect(one.size).toBe(1);
    expect(one.hashes.map(toHex)).toEqual([nodeAt(0, 0)]);
    expect(two.hashes.map(toHex)).toEqual([nodeAt(1, 0)]);
    const root = frontierRoot(two);
    root.fill(0);
    expect(toHex(frontierRoot(two))).toBe(rootsBySize[2]);
    const empty = emptyMerkleRoot();
    empty.fill(0);
    expect(toHex(emptyMerkleRoot())).toBe(rootsBySize[0]);
  });
});

// --- Properties over every tree up to 64 leaves ------------------------------------------------

const maxSize = 64;
const leaves = Array.from({ length: 2 * maxSize + 2 }, (_, i) => auditLeafHash(new TextEncoder().encode(`audit leaf ${String(i)}`)));
const roots = Array.from({ length: leaves.length + 1 }, (_, size) => merkleRoot(leaves.slice(0, size)));
const leafAt = (index: number): Uint8Array => leaves[index] ?? new Uint8Array();
const rootAt = (size: number): Uint8Array => roots[size] ?? new Uint8Array();

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Which side each proof hash sits on, leaf to root, read straight off RFC 6962's PATH recursion.
 * Two (index, size) pairs with the same shape run the same hash computation over a proof.
 */
function inclusionShape(index: number, size: number): string {
  if (size === 1) return '';
  const k = largestPowerOfTwoBelow(size);
  return index < k ? `${inclusionShape(index, k)}R` : `${inclusionShape(index - k, size - k)}L`;
}

/** The same for RFC 6962's SUBPROOF: the start ('o' = the old root itself, 's' = a subtree hash), then each side. */
function consistencyShape(oldSize: number, newSize: number, isWholeOldTree = true): string {
  if (oldSize === newSize) return isWholeOldTree ? 'o' : 's';
  const k = largestPowerOfTwoBelow(newSize);
  return oldSize <= k ? `${consistencyShape(oldSize, k, isWholeOldTree)}R` : `${consistencyShape(oldSize - k, newSize - k, false)}L`;
}

function flipByte(hash: Uint8Array, byte: number): Uint8Array {
  const copy = hash.slice();
  copy[byte] = (copy[byte] ?? 0) ^ 0x01;
  return copy;
}

function flipped(proof: readonly Uint8Array[], element: number, byte: number): Uint8Array[] {
  return proof.map((hash, i) => (i === element ? flipByte(hash, byte) : hash));
}

/** Mismatches are collected and asserted once per test: 100 000 separate expect() calls cost seconds. */
const mismatches: string[] = [];
function same(actual: boolean, expected: boolean, label: string): void {
  if (actual !== expected) mismatches.push(`${label}: got ${String(actual)}`);
}

describe('properties: every proof for every tree of up to 64 leaves', () => {
  beforeEach(() => {
    mismatches.length = 0;
  });
  afterEach(() => {
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it('the frontier root equals MTH after every append', () => {
    let frontier = emptyMerkleFrontier;
    for (let size = 0; size <= leaves.length; size += 1) {
      expect(frontierRoot(frontier)).toEqual(rootAt(size));
      if (size < leaves.length) frontier = appendLeaf(frontier, leafAt(size));
    }
  });

  it('inclusion proofs verify, and fail for any flipped byte, other leaf, other index, cut or padded proof', () => {
    for (let size = 1; size <= maxSize; size += 1) {
      const rootHash = rootAt(size);
      for (let leafIndex = 0; leafIndex < size; leafIndex += 1) {
        const proof = inclusionProof(leaves, leafIndex, size);
        const leafHash = leafAt(leafIndex);
        const at = `leaf ${String(leafIndex)} of ${String(size)}`;
        const check = (changes: Partial<Parameters<typeof verifyInclusion>[0]>): boolean =>
          verifyInclusion({ leafHash, leafIndex, treeSize: size, proof, rootHash, ...changes });
        same(check({}), true, at);
        same(proof.length === inclusionShape(leafIndex, size).length, true, `${at}: proof length`);
        proof.forEach((_, element) => {
          same(check({ proof: flipped(proof, element, element % 32) }), false, `${at}: { proof: flipped(proof, element, element % 32) }`);
        });
        same(check({ leafHash: flipByte(leafHash, 31) }), false, `${at}: { leafHash: flipByte(leafHash, 31) }`);
        same(check({ rootHash: flipByte(rootHash, 0) }), false, `${at}: { rootHash: flipByte(rootHash, 0) }`);
        same(check({ rootHash: rootAt(size + 1) }), false, `${at}: { rootHash: rootAt(size + 1) }`);
        for (let other = 0; other < size; other += 1) {
          if (other !== leafIndex) same(check({ leafIndex: other }), false, `${at}: claimed as leaf ${String(other)}`);
        }
        // Another leaf's hash at this index (neighbours and the far ends: the rest behave alike, and each costs a walk).
        for (const other of new Set([leafIndex - 1, leafIndex + 1, leafIndex ^ 2, 0, size - 1, size])) {
          if (other !== leafIndex && other >= 0) same(check({ leafHash: leafAt(other) }), false, `${at}: hash of leaf ${String(other)}`);
        }
        if (proof.length > 0) same(check({ proof: proof.slice(0, -1) }), false, `${at}: { proof: proof.slice(0, -1) }`);
        if (proof.length > 0) same(check({ proof: proof.slice(1) }), false, `${at}: { proof: proof.slice(1) }`);
        same(check({ proof: [...proof, rootHash] }), false, `${at}: { proof: [...proof, rootHash] }`);
        same(check({ proof: [rootHash, ...proof] }), false, `${at}: { proof: [rootHash, ...proof] }`);
      }
    }
  }, 60_000);

  it('a wrong tree size fails unless it gives the proof the very same shape (why the size must come from the signed checkpoint)', () => {
    // Leaf 0 of 3 and leaf 0 of 4 both have a 2-hash proof with siblings on the right: the proof
    // [leaf 1, leaf 2] recomputes the size-3 root either way. A proof never names its tree; the
    // verifier takes size and root together from one checkpoint, so no bearer can pick the size.
    const aliasProof = inclusionProof(leaves, 0, 3);
    expect(verifyInclusion({ leafHash: leafAt(0), leafIndex: 0, treeSize: 4, proof: aliasProof, rootHash: rootAt(3) })).toBe(true);

    for (let size = 1; size <= maxSize; size += 1) {
      for (let leafIndex = 0; leafIndex < size; leafIndex += 1) {
        const proof = inclusionProof(leaves, leafIndex, size);
        const shape = inclusionShape(leafIndex, size);
        for (let claimed = leafIndex + 1; claimed <= 2 * size + 1; claimed += 1) {
          if (claimed === size) continue;
          const isVerified = verifyInclusion({ leafHash: leafAt(leafIndex), leafIndex, treeSize: claimed, proof, rootHash: rootAt(size) });
          same(isVerified, inclusionShape(leafIndex, claimed) === shape, `${String(leafIndex)} in ${String(size)} claimed as ${String(claimed)}`);
        }
      }
    }
  }, 60_000);

  it('consistency proofs verify, and fail for any flipped byte, other old size, other roots, cut or padded proof', () => {
    for (let newSize = 1; newSize <= maxSize; newSize += 1) {
      for (let oldSize = 0; oldSize <= newSize; oldSize += 1) {
        const proof = consistencyProof(leaves, oldSize, newSize);
        const oldRoot = rootAt(oldSize);
        const newRoot = rootAt(newSize);
        const at = `${String(oldSize)} → ${String(newSize)}`;
        const check = (changes: Partial<Parameters<typeof verifyConsistency>[0]>): boolean =>
          verifyConsistency({ oldSize, newSize, oldRoot, newRoot, proof, ...changes });
        same(check({}), true, at);
        proof.forEach((_, element) => {
          same(check({ proof: flipped(proof, element, (element * 7) % 32) }), false, `${at}: { proof: flipped(proof, element, (element * 7) % 32) }`);
        });
        same(check({ oldRoot: flipByte(oldRoot, 5) }), false, `${at}: { oldRoot: flipByte(oldRoot, 5) }`);
        if (oldSize > 0) same(check({ newRoot: flipByte(newRoot, 9) }), false, `${at}: { newRoot: flipByte(newRoot, 9) }`);
        if (oldSize !== newSize) same(check({ oldRoot: newRoot, newRoot: oldRoot }), false, `${at}: { oldRoot: newRoot, newRoot: oldRoot }`);
        for (let otherOld = 0; otherOld <= newSize + 1; otherOld += 1) {
          if (otherOld !== oldSize) same(check({ oldSize: otherOld }), false, `${at}: old size ${String(otherOld)}`);
        }
        if (proof.length > 0) {
          same(check({ proof: proof.slice(0, -1) }), false, `${at}: { proof: proof.slice(0, -1) }`);
          same(check({ proof: proof.slice(1) }), false, `${at}: { proof: proof.slice(1) }`);
          same(check({ proof: [] }), false, `${at}: { proof: [] }`);
        }
        same(check({ proof: [...proof, newRoot] }), false, `${at}: { proof: [...proof, newRoot] }`);
        same(check({ proof: [oldRoot, ...proof] }), false, `${at}: { proof: [oldRoot, ...proof] }`);
      }
    }
  }, 60_000);

  it('a wrong new size fails unless it gives the proof the very same shape', () => {
    for (let newSize = 2; newSize <= maxSize; newSize += 1) {
      for (let oldSize = 1; oldSize < newSize; oldSize += 1) {
        const proof = consistencyProof(leaves, oldSize, newSize);
        const shape = consistencyShape(oldSize, newSize);
        for (let claimed = oldSize; claimed <= 2 * newSize + 1; claimed += 1) {
          if (claimed === newSize) continue;
          const isVerified = verifyConsistency({ oldSize, newSize: claimed, oldRoot: rootAt(oldSize), newRoot: rootAt(newSize), proof });
          same(isVerified, consistencyShape(oldSize, claimed) === shape, `${String(oldSize)} → ${String(newSize)} claimed as ${String(claimed)}`);
        }
      }
    }
  }, 60_000);

  it('a tree that changed any earlier leaf is not consistent with the old checkpoint', () => {
    for (let newSize = 2; newSize <= 24; newSize += 1) {
      for (let edited = 0; edited < newSize; edited += 1) {
        const rewritten = leaves.slice(0, newSize).map((hash, i) => (i === edited ? auditLeafHash(Uint8Array.of(0xff, i)) : hash));
        for (let oldSize = edited + 1; oldSize < newSize; oldSize += 1) {
          const proof = consistencyProof(rewritten, oldSize, newSize);
          const isVerified = verifyConsistency({ oldSize, newSize, oldRoot: rootAt(oldSize), newRoot: merkleRoot(rewritten), proof });
          same(isVerified, false, `leaf ${String(edited)} edited, ${String(oldSize)} → ${String(newSize)}`);
        }
      }
    }
  }, 60_000);
});
