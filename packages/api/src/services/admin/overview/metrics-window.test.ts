import { describe, expect, it } from 'vitest';
import { histogramQuantile, metricsSampleOf, MetricsWindow } from './metrics-window';
import { parsePrometheusText } from './prometheus-text';

/** A gateway's /metrics as prom-client writes it (bucket bounds of apps/gateway/src/metrics.ts). */
function metricsText(counts: {
  ok: number;
  rejected: number;
  unavailable: number;
  overloaded: number;
  rateLimited: number;
  fast: number;
  slow: number;
  poll: number;
}): string {
  const labels = 'gateway="gw-r1-1",region="region-1"';
  const bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  // `fast` calls took 8 ms (bucket 0.01), `slow` ones 400 ms (bucket 0.5); push long-polls 20 s.
  const bucketLines = (procedure: string, at: (le: number) => number, total: number): string[] => [
    ...bounds.map((le) => `holdfast_request_duration_seconds_bucket{le="${String(le)}",${labels},procedure="${procedure}"} ${String(at(le))}`),
    `holdfast_request_duration_seconds_bucket{le="+Inf",${labels},procedure="${procedure}"} ${String(total)}`,
    `holdfast_request_duration_seconds_sum{${labels},procedure="${procedure}"} 1.5`,
    `holdfast_request_duration_seconds_count{${labels},procedure="${procedure}"} ${String(total)}`,
  ];
  return [
    '# HELP holdfast_requests_total Procedure calls by outcome.',
    '# TYPE holdfast_requests_total counter',
    `holdfast_requests_total{${labels},procedure="verify.totp",outcome="accepted"} ${String(counts.ok)}`,
    `holdfast_requests_total{${labels},procedure="verify.totp",outcome="rejected"} ${String(counts.rejected)}`,
    `holdfast_requests_total{${labels},procedure="verify.totp",outcome="DATABASE_UNAVAILABLE"} ${String(counts.unavailable)}`,
    `holdfast_requests_total{${labels},procedure="verify.pushStatus",outcome="ok"} ${String(counts.poll)}`,
    '',
    '# TYPE holdfast_request_duration_seconds histogram',
    ...bucketLines('verify.totp', (le) => (le >= 0.01 ? counts.fast : 0) + (le >= 0.5 ? counts.slow : 0), counts.fast + counts.slow),
    ...bucketLines('verify.pushStatus', () => 0, counts.poll),
    '# TYPE holdfast_requests_refused_total counter',
    `holdfast_requests_refused_total{${labels},reason="overloaded"} ${String(counts.overloaded)}`,
    `holdfast_requests_refused_total{${labels},reason="rate_limited"} ${String(counts.rateLimited)}`,
    '# TYPE holdfast_canary_ok gauge',
    `holdfast_canary_ok{${labels}} 1`,
    `process_cpu_user_seconds_total{${labels}} 1.23`,
  ].join('\n');
}

const zero = { ok: 0, rejected: 0, unavailable: 0, overloaded: 0, rateLimited: 0, fast: 0, slow: 0, poll: 0 };

describe('parsePrometheusText', () => {
  it('reads names, labels (with escapes) and values; skips comments and bad lines', () => {
    const samples = parsePrometheusText(
      ['# HELP x y', 'a_total{p="v\\"q\\\\r\\nz",o="ok"} 3', 'b 1.5e3 1700000000000', 'c{le="+Inf"} +Inf', 'broken{x="1" 2', 'd{} NaN', ''].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'a_total', labels: { p: 'v"q\\r\nz', o: 'ok' }, value: 3 },
      { name: 'b', labels: {}, value: 1500 },
      { name: 'c', labels: { le: '+Inf' }, value: Number.POSITIVE_INFINITY },
    ]);
  });
});

describe('metricsSampleOf', () => {
  it('counts calls and overload refusals; outage-class outcomes and overloads are failures; long-polls stay out of latency', () => {
    const sample = metricsSampleOf(metricsText({ ...zero, ok: 90, rejected: 5, unavailable: 3, overloaded: 2, rateLimited: 50, fast: 98, poll: 7 }), 1000);
    expect(sample.requests).toBe(90 + 5 + 3 + 7 + 2);
    expect(sample.failures).toBe(3 + 2);
    expect(sample.buckets.get(Number.POSITIVE_INFINITY)).toBe(98);
    expect(sample.buckets.get(0.005)).toBe(0);
    expect(sample.buckets.get(0.01)).toBe(98);
  });
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket, as Prometheus does', () => {
    const buckets = new Map([
      [0.01, 50],
      [0.1, 100],
      [Number.POSITIVE_INFINITY, 100],
    ]);
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.01);
    expect(histogramQuantile(0.99, buckets)).toBeCloseTo(0.01 + 0.09 * (49 / 50));
  });
  it('null without observations; the largest finite bound when the quantile is in +Inf', () => {
    expect(histogramQuantile(0.99, new Map([[Number.POSITIVE_INFINITY, 0]]))).toBeNull();
    expect(
      histogramQuantile(
        0.99,
        new Map([
          [1, 1],
          [Number.POSITIVE_INFINITY, 100],
        ]),
      ),
    ).toBe(1);
  });
});

describe('MetricsWindow', () => {
  it('rate, success and p99 over the last minute from successive scrapes', () => {
    const window = new MetricsWindow(60_000);
    expect(window.rates()).toEqual({ requestsPerSecond: null, successRate: null, p99Ms: null });
    window.add(metricsSampleOf(metricsText({ ...zero, ok: 1000, fast: 1000 }), 0));
    window.add(metricsSampleOf(metricsText({ ...zero, ok: 1200, fast: 1200 }), 10_000));
    // 200 calls in 10 s, all fine, all in the 5–10 ms bucket.
    let rates = window.rates();
    expect(rates.requestsPerSecond).toBeCloseTo(20);
    expect(rates.successRate).toBe(1);
    expect(rates.p99Ms).toBeCloseTo(5 + 5 * 0.99);
    // 10 s later: 97 more good fast calls, 3 unavailable; 1 slow call at 400 ms.
    window.add(metricsSampleOf(metricsText({ ...zero, ok: 1297, unavailable: 3, fast: 1299, slow: 1 }), 20_000));
    rates = window.rates();
    expect(rates.requestsPerSecond).toBeCloseTo(300 / 20);
    expect(rates.successRate).toBeCloseTo(297 / 300);
    expect(rates.p99Ms).toBeCloseTo(5 + 5 * ((0.99 * 300) / 299));
  });

  it('forgets what is older than the window', () => {
    const window = new MetricsWindow(60_000);
    window.add(metricsSampleOf(metricsText({ ...zero, unavailable: 1000 }), 0));
    window.add(metricsSampleOf(metricsText({ ...zero, unavailable: 1000, ok: 10 }), 30_000));
    window.add(metricsSampleOf(metricsText({ ...zero, unavailable: 1000, ok: 70 }), 90_000));
    // The sample at 0 s is more than a minute old; from 30 s to 90 s: 60 good calls.
    expect(window.rates()).toMatchObject({ requestsPerSecond: 1, successRate: 1 });
  });

  it('a restarted gateway (counters went down) starts a new window instead of a negative rate', () => {
    const window = new MetricsWindow(60_000);
    window.add(metricsSampleOf(metricsText({ ...zero, ok: 5000, fast: 5000 }), 0));
    window.add(metricsSampleOf(metricsText({ ...zero, ok: 10, fast: 10 }), 5_000));
    expect(window.rates().requestsPerSecond).toBeNull();
    window.add(metricsSampleOf(metricsText({ ...zero, ok: 30, fast: 30 }), 7_000));
    expect(window.rates().requestsPerSecond).toBeCloseTo(10);
  });

  it('no calls: 0 req/s and no success rate or p99 (nothing to judge)', () => {
    const window = new MetricsWindow(60_000);
    window.add(metricsSampleOf(metricsText(zero), 0));
    window.add(metricsSampleOf(metricsText(zero), 1_000));
    expect(window.rates()).toEqual({ requestsPerSecond: 0, successRate: null, p99Ms: null });
  });
});
