import { describe, expect, it } from 'vitest';
import type { DrillRequest } from './load';
import { judgeStability, slowestSeconds, soakMinutes, soakTargets, soakUsersFor, type SoakSection } from './soak';

const request = (startMs: number, latencyMs: number, outcome: DrillRequest['outcome'] = 'accepted', kind: DrillRequest['kind'] = 'fresh'): DrillRequest => ({
  kind,
  factor: 'totp',
  attemptId: `a-${startMs}`,
  userId: 'u',
  code: '123456',
  startMs,
  endMs: startMs + latencyMs,
  outcome,
  reason: null,
  gatewayId: 'gw',
});

describe('[SOAK] per-minute p99 and its stability', () => {
  it('buckets fresh logins by the minute they started in, leaves out replays and a partial last minute', () => {
    const requests = [
      ...Array.from({ length: 100 }, (_, i) => request(i * 500, i === 99 ? 900 : 50)),
      ...Array.from({ length: 100 }, (_, i) => request(60_000 + i * 500, 80, i === 0 ? 'error' : 'accepted')),
      request(61_000, 5_000, 'rejected', 'replay'),
      request(125_000, 9_000),
    ];
    const minutes = soakMinutes(requests, 130_000);
    expect(minutes).toEqual([
      { minute: 1, sent: 100, accepted: 100, failed: 0, p50: 50, p99: 900 },
      { minute: 2, sent: 100, accepted: 99, failed: 1, p50: 80, p99: 80 },
    ]);
  });

  it('is stable when no minute is above twice the median minute (with a 250 ms floor), not measured against a warm-up first minute', () => {
    // A slow first minute (warm-up) does not make the rest look stable by comparison, nor unstable itself within the limit.
    expect(
      judgeStability([
        { minute: 1, p99: 300 },
        { minute: 2, p99: 200 },
        { minute: 3, p99: 210 },
      ]),
    ).toEqual({ isStable: true, medianP99: 210, limitMs: 460, over: [] });
    const drift = judgeStability([
      { minute: 1, p99: 200 },
      { minute: 2, p99: 220 },
      { minute: 3, p99: 210 },
      { minute: 4, p99: 900 },
    ]);
    expect(drift.isStable).toBe(false);
    expect(drift.limitMs).toBe(465);
    expect(drift.over).toEqual([{ minute: 4, p99: 900 }]);
    // Low latencies: 40 → 150 ms is scheduler noise on a shared machine, not instability.
    expect(
      judgeStability([
        { minute: 1, p99: 40 },
        { minute: 2, p99: 150 },
        { minute: 3, p99: 45 },
      ]).isStable,
    ).toBe(true);
    expect(judgeStability([]).isStable).toBe(false);
  });

  it('names the slowest seconds by p99 (fresh logins by the second they started), beside the sampler of that second', () => {
    const requests = [
      request(1_000, 10),
      request(1_500, 12),
      request(2_100, 480), // second 2: one slow login
      request(2_600, 20),
      request(3_000, 30),
      request(3_200, 900, 'accepted', 'replay'), // replays do not count
    ];
    const busiest = [{ group: 'pg2 backend', cores: 1.1 }];
    const samples = [{ second: 2, cpuBusy: 0.97, drillCpu: 0.8, loopDelayMaxMs: 410, topProcesses: busiest }];
    const slow = slowestSeconds(requests, samples, 2);
    expect(slow).toEqual([
      { second: 2, sent: 2, p50: 480, p99: 480, cpuBusy: 0.97, drillCpu: 0.8, loopDelayMaxMs: 410, topProcesses: busiest },
      { second: 3, sent: 1, p50: 30, p99: 30 },
    ]);
  });

  it('seeds a 30-s step of users for the rate (each TOTP code is usable once per step), with room to spare', () => {
    expect(soakUsersFor(20)).toBeGreaterThanOrEqual(20 * 30);
    expect(soakUsersFor(45)).toBeGreaterThanOrEqual(45 * 30);
  });
});

describe('[SOAK] targets', () => {
  const section = (overrides: Partial<SoakSection> = {}): SoakSection => ({
    ratePerSecond: 20,
    leaderBefore: 'pg1',
    leaderAfter: 'pg1',
    timelineBefore: 9,
    timelineAfter: 9,
    leaderChanges: 0,
    leadersSeen: ['pg1'],
    samplesWithoutLeader: 0,
    samplesUnanswered: 2,
    samples: 90,
    slowSeconds: [],
    cpuByProcess: [],
    sent: 3600,
    failedLogins: 0,
    minutes: [{ minute: 1, sent: 1200, accepted: 1200, failed: 0, p50: 30, p99: 120 }],
    stability: { isStable: true, medianP99: 120, limitMs: 370, over: [] },
    ...overrides,
  });

  it('meets all three on a quiet soak', () => {
    expect(soakTargets(section()).every((t) => t.isMet)).toBe(true);
  });

  it('counts a failover and back (same leader, new timeline) and a leaderless sample as leader changes', () => {
    expect(soakTargets(section({ timelineAfter: 11, leaderChanges: 2 }))[0]?.isMet).toBe(false);
    expect(soakTargets(section({ samplesWithoutLeader: 1 }))[0]?.isMet).toBe(false);
    expect(soakTargets(section({ leadersSeen: ['pg1', 'pg2'] }))[0]?.isMet).toBe(false);
    expect(soakTargets(section({ leaderChanges: null }))[0]?.isMet).toBe(false);
  });

  it('fails on one failed login', () => {
    expect(soakTargets(section({ failedLogins: 1 }))[1]?.isMet).toBe(false);
  });
});
