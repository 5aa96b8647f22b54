import { describe, expect, it } from 'vitest';
import { isHealthy, type ClusterHealth } from '../cluster';
import { distribution, drillExitCode, loadSummary, quantile, renderSeriesMarkdown, seriesRun, summarizeSeries, type SeriesRun } from './distribution';

const run = (n: number, writeOutageMs: number, successRate = 1, overrides: Partial<SeriesRun> = {}): SeriesRun => ({
  run: n,
  startedAt: `2026-11-29T09:0${n}:00.000Z`,
  isPassed: true,
  sent: 900,
  accepted: Math.round(900 * successRate),
  successRate,
  writeOutageMs,
  p99Ms: 9_000 + n,
  lostAcknowledged: 0,
  replaysAccepted: 0,
  auditMissing: 0,
  failoverMs: 7_000 + n * 100,
  afterPromotionMs: 1_000,
  missed: [],
  load1m: { mean: 1.5, max: 2 },
  ...overrides,
});

describe('[DRILL_DISTRIBUTION] a series of drill runs', () => {
  it('interpolates quantiles between the closest runs (numpy default), so p95 of 3 or 10 runs is not just the maximum', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([4], 0.95)).toBe(4);
    expect(quantile([1, 2, 3], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    // 10 runs 1..10: position 0.95 × 9 = 8.55 → 9 + 0.55 × (10 − 9)
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55);
    // 3 runs: position 1.9 → 20 + 0.9 × (40 − 20)
    expect(quantile([10, 20, 40], 0.95)).toBeCloseTo(38);
  });

  it('gives min / median / p95 / max over unsorted values and ignores non-finite ones', () => {
    expect(distribution([])).toBeNull();
    expect(distribution([9_000, 5_000, 7_000, Number.NaN])).toEqual({ n: 3, min: 5_000, median: 7_000, p95: 8_800, max: 9_000 });
  });

  it('summarizes the series and sets the issue targets for failover scenarios only, from two runs on', () => {
    const series = summarizeSeries('primary-kill', [run(1, 5_500), run(2, 9_000), run(3, 6_000, 0.99)]);
    expect(series.writeOutageMs).toMatchObject({ min: 5_500, median: 6_000, max: 9_000 });
    expect(series.writeOutageMs?.p95).toBeCloseTo(8_700);
    expect(series.successRate).toMatchObject({ min: 0.99, max: 1 });
    expect(series.failoverMs).toMatchObject({ min: 7_100, max: 7_300 });
    expect(series.targets.map((t) => [t.name, t.isMet])).toEqual([
      ['SDK-observed success 100 % in every run', false],
      ['write outage p95 ≤ 8 s', false],
      ['write outage median ≤ 6 s', true],
    ]);
    expect(summarizeSeries('primary-kill', [run(1, 20_000)]).targets).toEqual([]);
    expect(summarizeSeries('switchover', [run(1, 3_000), run(2, 4_000)]).targets).toEqual([]);
    expect(summarizeSeries('primary-kill', [run(1, 5_000, 1, { failoverMs: null })]).failoverMs).toBeNull();
  });

  it('renders each run and the distribution table', () => {
    const series = summarizeSeries('region-down', [run(1, 5_500), run(2, 6_500)]);
    const markdown = renderSeriesMarkdown(series, { strict: true, exitCode: 1, reports: ['a.md', 'b.md'] });
    expect(markdown).toContain('# Drill series: region-down × 2 — FAILED (strict)');
    expect(markdown).toContain(
      '| 2 | 2026-11-29T09:02:00.000Z | yes | 100.00 % (900/900) | 6.50 s | 9002 ms | 7.20 s | 1.00 s | 0 | 0 | 0 | 1.50 / 2.00 | — |',
    );
    expect(markdown).toContain('| write outage | 5.50 s | 6.00 s | 6.45 s | 6.50 s |');
    expect(markdown).toContain('✅ write outage median ≤ 6 s: 6.00 s');
    expect(markdown).toContain('- b.md');
    expect(renderSeriesMarkdown(series, { strict: false, exitCode: 1, reports: [], aborted: 'run 3 did not finish: cluster not healthy' })).toContain(
      '**Stopped early:** run 3 did not finish: cluster not healthy',
    );
  });

  it('takes a run from its report: Patroni failover from the live map, and what came after the promotion', () => {
    const r = seriesRun(
      2,
      {
        startedAt: '2026-11-29T09:00:00.000Z',
        isPassed: true,
        fresh: { sent: 900, accepted: 899, rejected: {}, errors: { HoldfastUnavailableError: 1 }, successRate: 899 / 900 },
        writeOutageMs: 10_500,
        writeOutageWindow: { fromMs: 9_900, toMs: 20_400 },
        latencyMs: { p50: 40, p99: 10_100, max: 15_000 },
        checks: { acknowledged: 899, lostAcknowledged: [], auditMissing: [], replaysSent: 100, replaysAccepted: [], acceptedNotAcknowledged: 1 },
        targets: [
          { name: 'SDK-observed success 100 %', isMet: false, value: '99.89 %' },
          { name: '0 acknowledged writes lost', isMet: true, value: '0' },
        ],
        liveMap: { killAtMs: 10_000, failoverMs: 8_200 },
      },
      [1, 3],
    );
    expect(r).toMatchObject({
      run: 2,
      writeOutageMs: 10_500,
      p99Ms: 10_100,
      failoverMs: 8_200,
      afterPromotionMs: 2_200,
      missed: ['SDK-observed success 100 %'],
    });
    expect(r.load1m).toEqual({ mean: 2, max: 3 });
  });

  it('averages load samples', () => {
    expect(loadSummary([])).toBeNull();
    expect(loadSummary([1, 2, 2.5])).toEqual({ mean: 1.83, max: 2.5 });
  });
});

describe('[DRILL_STRICT] when the drill command fails', () => {
  const passed = { isPassed: true, missed: [] };
  const missedTarget = { isPassed: true, missed: ['write outage ≤ 12 s'] };
  const broken = { isPassed: false, missed: ['0 acknowledged writes lost'] };
  const seriesMissed = [{ name: 'write outage p95 ≤ 8 s', isMet: false, value: '9.00 s' }];

  it('by default (as before) only on correctness: loss, replay, audit, push, outage checks', () => {
    expect(drillExitCode({ strict: false, runs: [passed, passed] })).toBe(0);
    expect(drillExitCode({ strict: false, runs: [passed, missedTarget], seriesTargets: seriesMissed })).toBe(0);
    expect(drillExitCode({ strict: false, runs: [passed, broken] })).toBe(1);
  });

  it('with --strict also when any run or the series missed a target', () => {
    expect(drillExitCode({ strict: true, runs: [passed, passed], seriesTargets: [{ name: 'x', isMet: true, value: '' }] })).toBe(0);
    expect(drillExitCode({ strict: true, runs: [passed, missedTarget] })).toBe(1);
    expect(drillExitCode({ strict: true, runs: [passed, passed], seriesTargets: seriesMissed })).toBe(1);
    expect(drillExitCode({ strict: true, runs: [broken] })).toBe(1);
  });

  it('fails when no run finished', () => {
    expect(drillExitCode({ strict: false, runs: [] })).toBe(1);
  });
});

describe('[DRILL_HEALTHY] a run starts on a healthy cluster', () => {
  const health: ClusterHealth = { leader: 'pg1', syncStandby: 'pg2', running: 3, gatewaysReady: 4, gateways: 4 };
  it('needs a leader, a synchronous standby and every gateway ready; every member while it waits for the rejoin', () => {
    expect(isHealthy(health, { members: 3, requireAllMembers: true })).toBe(true);
    expect(isHealthy({ ...health, syncStandby: null }, { members: 3, requireAllMembers: false })).toBe(false);
    expect(isHealthy({ ...health, leader: null }, { members: 3, requireAllMembers: false })).toBe(false);
    expect(isHealthy({ ...health, gatewaysReady: 3 }, { members: 3, requireAllMembers: false })).toBe(false);
    expect(isHealthy({ ...health, running: 2 }, { members: 3, requireAllMembers: true })).toBe(false);
    expect(isHealthy({ ...health, running: 2 }, { members: 3, requireAllMembers: false })).toBe(true);
  });
});
