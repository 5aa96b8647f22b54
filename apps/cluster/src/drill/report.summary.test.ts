import { describe, expect, it } from 'vitest';
import type { DrillRequest } from './load';
import { summarize } from './report';

const request = (startMs: number, endMs: number, outcome: DrillRequest['outcome'], kind: DrillRequest['kind'] = 'fresh'): DrillRequest => ({
  kind,
  factor: 'totp',
  attemptId: `a-${startMs}-${kind}`,
  userId: 'u',
  code: '000000',
  startMs,
  endMs,
  outcome,
  reason: outcome === 'error' ? 'HoldfastUnavailableError' : null,
  gatewayId: null,
});

describe('[DRILL_REPORT] what a drill report says', () => {
  it('counts success over fresh requests only and finds the longest gap between acknowledged logins', () => {
    const requests = [
      request(0, 20, 'accepted'),
      request(50, 70, 'accepted'),
      request(100, 9_100, 'accepted'), // waited out a failover
      request(120, 15_120, 'error'),
      request(150, 9_120, 'accepted'),
      request(200, 210, 'rejected', 'replay'),
    ];
    const summary = summarize(requests);
    expect(summary.fresh).toMatchObject({ sent: 5, accepted: 4, errors: { HoldfastUnavailableError: 1 } });
    expect(summary.fresh.successRate).toBeCloseTo(0.8);
    expect(summary.writeOutageMs).toBe(9_030); // 70 → 9 100
    expect(summary.writeOutageWindow).toEqual({ fromMs: 70, toMs: 9_100 });
    expect(summary.latencyMs.max).toBe(15_000);
    expect(summary.failures).toEqual([{ startMs: 120, endMs: 15_120, reason: 'HoldfastUnavailableError', detail: null }]);
    expect(summary.timeline[0]).toMatchObject({ second: 0, sent: 5, accepted: 4 });
  });
});
