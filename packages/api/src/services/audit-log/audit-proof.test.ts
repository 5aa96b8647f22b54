import { auditLeafHash, inclusionProof } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import { AuditProofError, inclusionProofRanges, streamInclusionProof } from './audit-proof';

const leaves = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => auditLeafHash(new TextEncoder().encode(`leaf ${String(i)}`)));

describe('streamInclusionProof: the proof of core inclusionProof with O(log n) memory', () => {
  it('equals core inclusionProof for every leaf of every tree up to 48 leaves, whatever the chunk size', async () => {
    const all = leaves(48);
    for (let treeSize = 1; treeSize <= 48; treeSize += 1) {
      for (let leafIndex = 0; leafIndex < treeSize; leafIndex += 1) {
        const expected = inclusionProof(all, leafIndex, treeSize);
        for (const chunkSize of [1, 3, 8, 10_000]) {
          const reads: [number, number][] = [];
          const got = await streamInclusionProof({
            leafIndex,
            treeSize,
            chunkSize,
            readLeafHashes: (from, to) => {
              reads.push([from, to]);
              return Promise.resolve(all.slice(from, to));
            },
          });
          expect(got).toEqual(expected);
          // Bounded reads, in order, covering the tree once.
          expect(reads.every(([from, to]) => to - from <= chunkSize)).toBe(true);
          expect(reads.reduce((sum, [from, to]) => sum + (to - from), 0)).toBe(treeSize);
        }
      }
    }
  });

  it('the ranges are disjoint and, with the leaf, cover the tree; a proof for a large tree has log2 n nodes', () => {
    const ranges = inclusionProofRanges(123_456, 1_000_003);
    expect(ranges.length).toBeLessThanOrEqual(20);
    const sorted = [...ranges].sort((x, y) => x.start - y.start);
    let covered = 0;
    for (const range of sorted) {
      if (covered === 123_456) covered += 1;
      expect(range.start).toBe(covered);
      covered = range.end;
    }
    expect(covered === 123_456 ? covered + 1 : covered).toBe(1_000_003);
    expect(() => inclusionProofRanges(5, 5)).toThrow(AuditProofError);
  });

  it('a short read (a hole in the leaves) or an abandoned request is an error, not a wrong proof', async () => {
    const all = leaves(10);
    await expect(
      streamInclusionProof({ leafIndex: 2, treeSize: 10, chunkSize: 4, readLeafHashes: (from, to) => Promise.resolve(all.slice(from, to - 1)) }),
    ).rejects.toThrow(AuditProofError);
    const controller = new AbortController();
    controller.abort();
    await expect(
      streamInclusionProof({ leafIndex: 2, treeSize: 10, signal: controller.signal, readLeafHashes: (from, to) => Promise.resolve(all.slice(from, to)) }),
    ).rejects.toThrow(AuditProofError);
  });
});
