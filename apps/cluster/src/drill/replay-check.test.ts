import { generateTotpCode, timeStepAt } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import type { DrillRequest } from './load';
import { splitAcceptedReplays } from './replay-check';

const params = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const codeAt = (secret: string, step: number): Promise<string> => generateTotpCode({ secret, params, at: new Date(step * 30_000 + 1) });

/** Finds a secret and two steps ≥ 2 apart that share a code (the soak's case), by search: about one pair in a million. */
async function secretWithRepeat(): Promise<{ secret: string; first: number; second: number }> {
  // The soak's real pair (drill-1007): 015930 at steps 59866620 and 59866638. Its secret is not
  // kept, so search a small space instead: for each secret, codes of 2,000 steps; a repeat is found
  // among a few hundred secrets (birthday bound: 2,000² / 2 / 10⁶ ≈ 2 pairs per secret).
  for (let i = 0; i < 400; i += 1) {
    const secret = `GEZDGNBVGY3TQOJQGEZDGNBVGY3TQO${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`;
    const seen = new Map<string, number>();
    for (let step = 59_866_000; step < 59_868_000; step += 1) {
      const code = await codeAt(secret, step);
      const earlier = seen.get(code);
      if (earlier !== undefined && step - earlier >= 2) return { secret, first: earlier, second: step };
      seen.set(code, step);
    }
  }
  throw new Error('no repeated code found');
}

const request = (overrides: Partial<DrillRequest>): DrillRequest => ({
  kind: 'fresh',
  factor: 'totp',
  attemptId: 'a',
  userId: 'u1',
  code: '000000',
  startMs: 0,
  endMs: 10,
  outcome: 'accepted',
  reason: null,
  gatewayId: 'gw',
  ...overrides,
});

describe('[REPLAY_CHECK] an accepted replay is a broken single use unless its code is a later unused step’s', () => {
  it('tells a replay that matched a later, unused step apart from one that broke single use', async () => {
    const { secret, first, second } = await secretWithRepeat();
    const code = await codeAt(secret, first);
    const startEpochMs = first * 30_000; // the drill began at the first step
    const inStep = (step: number): number => (step - first) * 30_000 + 5_000;
    const fresh = request({ attemptId: 'fresh', code, startMs: inStep(first), endMs: inStep(first) + 10 });
    const lucky = request({ kind: 'replay', attemptId: 'lucky', code, startMs: inStep(second), endMs: inStep(second) + 10 });
    const broken = request({ kind: 'replay', attemptId: 'broken', code, startMs: inStep(first) + 100, endMs: inStep(first) + 110 });
    const result = await splitAcceptedReplays({
      acceptedReplayIds: new Set(['lucky', 'broken']),
      requests: [fresh, lucky, broken],
      secrets: new Map([['u1', secret]]),
      startEpochMs,
      window: 1,
    });
    expect(timeStepAt({ at: new Date(startEpochMs + lucky.startMs), period: 30 })).toBe(second);
    expect(result).toEqual({ broken: ['broken'], codeOfUnusedStep: ['lucky'] });
  });

  it('a step the user already logged in with explains nothing (that acceptance broke single use)', async () => {
    const { secret, first, second } = await secretWithRepeat();
    const code = await codeAt(secret, first);
    const inStep = (step: number): number => (step - first) * 30_000 + 5_000;
    const requests = [
      request({ attemptId: 'fresh-1', code, startMs: inStep(first) }),
      // The user's own login at the later step, before the replay: that step is used.
      request({ attemptId: 'fresh-2', code: await codeAt(secret, second), startMs: inStep(second) - 1_000 }),
      request({ kind: 'replay', attemptId: 'replay', code, startMs: inStep(second), endMs: inStep(second) + 10 }),
    ];
    const result = await splitAcceptedReplays({
      acceptedReplayIds: new Set(['replay']),
      requests,
      secrets: new Map([['u1', secret]]),
      startEpochMs: first * 30_000,
      window: 1,
    });
    expect(result).toEqual({ broken: ['replay'], codeOfUnusedStep: [] });
  });

  it('a step explains one replay only: a second replay accepted with the same code broke single use', async () => {
    const { secret, first, second } = await secretWithRepeat();
    const code = await codeAt(secret, first);
    const inStep = (step: number): number => (step - first) * 30_000 + 5_000;
    const result = await splitAcceptedReplays({
      acceptedReplayIds: new Set(['lucky', 'again']),
      requests: [
        request({ attemptId: 'fresh', code, startMs: inStep(first) }),
        request({ kind: 'replay', attemptId: 'again', code, startMs: inStep(second) + 200, endMs: inStep(second) + 210 }),
        request({ kind: 'replay', attemptId: 'lucky', code, startMs: inStep(second), endMs: inStep(second) + 10 }),
      ],
      secrets: new Map([['u1', secret]]),
      startEpochMs: first * 30_000,
      window: 1,
    });
    expect(result).toEqual({ broken: ['again'], codeOfUnusedStep: ['lucky'] });
  });

  it('an accepted recovery-code replay, or one of an unknown user, is always broken', async () => {
    const result = await splitAcceptedReplays({
      acceptedReplayIds: new Set(['rc', 'who']),
      requests: [request({ kind: 'replay', attemptId: 'rc', factor: 'recovery_code' }), request({ kind: 'replay', attemptId: 'who', userId: 'nobody' })],
      secrets: new Map([['u1', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ']]),
      startEpochMs: 0,
      window: 1,
    });
    expect(result.broken).toEqual(['rc', 'who']);
  });
});
