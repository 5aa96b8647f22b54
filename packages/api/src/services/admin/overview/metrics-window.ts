// Request rate, success rate and p99 over the last minute for one gateway, computed from
// successive /metrics scrapes (counters and histogram buckets only ever grow, so the difference
// between two scrapes is what happened in between — as Prometheus' rate() and histogram_quantile()).
import { errorCodes, type ErrorCode } from '@holdfast/core';
import { parsePrometheusText } from './prometheus-text';

export interface MetricsSample {
  /** When it was scraped (ms). */
  at: number;
  /** Procedure calls finished, plus requests refused as overloaded before the router ran. */
  requests: number;
  /** Of those, the ones the service failed: an unavailable/internal outcome, or an overload refusal. */
  failures: number;
  /** Cumulative latency histogram over every procedure except long-polls: upper bound (s) → count. */
  buckets: Map<number, number>;
}

export interface WindowRates {
  requestsPerSecond: number | null;
  successRate: number | null;
  p99Ms: number | null;
}

/**
 * A caller's mistake (a bad code, an unknown user, a rate limit) is the service answering; only an
 * outage-class outcome counts against the success rate.
 */
function isFailureOutcome(outcome: string): boolean {
  if (!Object.hasOwn(errorCodes, outcome)) return false;
  const category = errorCodes[outcome as ErrorCode];
  return category === 'unavailable' || category === 'internal';
}

/** Long-polls wait on purpose (push status, up to 25 s): they would make p99 mean nothing. */
const longPollProcedure = /pushStatus$/i;

const wantedMetric = (name: string): boolean =>
  name === 'holdfast_requests_total' || name === 'holdfast_requests_refused_total' || name === 'holdfast_request_duration_seconds_bucket';

/** One scrape of a gateway's /metrics as the numbers the window needs. */
export function metricsSampleOf(text: string, at: number): MetricsSample {
  let requests = 0;
  let failures = 0;
  const buckets = new Map<number, number>();
  for (const sample of parsePrometheusText(text, wantedMetric)) {
    if (sample.name === 'holdfast_requests_total') {
      requests += sample.value;
      if (isFailureOutcome(sample.labels.outcome ?? '')) failures += sample.value;
    } else if (sample.name === 'holdfast_requests_refused_total') {
      // Rate-limited refusals are the flood shield doing its job, not the service failing.
      if (sample.labels.reason === 'overloaded') {
        requests += sample.value;
        failures += sample.value;
      }
    } else if (!longPollProcedure.test(sample.labels.procedure ?? '')) {
      const le = sample.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(sample.labels.le);
      if (!Number.isNaN(le)) buckets.set(le, (buckets.get(le) ?? 0) + sample.value);
    }
  }
  return { at, requests, failures, buckets };
}

/**
 * The q-quantile of the observations counted by `buckets` (cumulative by upper bound), linear
 * within the bucket it falls in, as Prometheus' histogram_quantile(); null with no observations.
 * A quantile in the +Inf bucket is reported as the largest finite bound.
 */
export function histogramQuantile(q: number, buckets: ReadonlyMap<number, number>): number | null {
  const bounds = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = bounds.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, count] of bounds) {
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return previousBound;
      const inBucket = count - previousCount;
      if (inBucket <= 0) return bound;
      return previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

function isReset(older: MetricsSample, newer: MetricsSample): boolean {
  if (newer.requests < older.requests || newer.failures < older.failures) return true;
  for (const [bound, count] of older.buckets) if ((newer.buckets.get(bound) ?? 0) < count) return true;
  return false;
}

/** Successive scrapes of one gateway, kept for `windowMs`; a restart (counters went down) starts a new window. */
export class MetricsWindow {
  private samples: MetricsSample[] = [];

  constructor(private readonly windowMs = 60_000) {}

  add(sample: MetricsSample): void {
    const last = this.samples.at(-1);
    if (last !== undefined && isReset(last, sample)) this.samples = [];
    this.samples.push(sample);
    // Keep one sample at or before the window's start, so the window spans the full minute.
    const start = sample.at - this.windowMs;
    while (this.samples.length > 2 && (this.samples[1]?.at ?? Number.POSITIVE_INFINITY) <= start) this.samples.shift();
  }

  rates(): WindowRates {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at <= first.at) return { requestsPerSecond: null, successRate: null, p99Ms: null };
    const seconds = (last.at - first.at) / 1000;
    const requests = last.requests - first.requests;
    const failures = last.failures - first.failures;
    const delta = new Map<number, number>();
    for (const [bound, count] of last.buckets) delta.set(bound, count - (first.buckets.get(bound) ?? 0));
    const p99 = histogramQuantile(0.99, delta);
    return {
      requestsPerSecond: requests / seconds,
      successRate: requests > 0 ? (requests - failures) / requests : null,
      p99Ms: p99 === null ? null : p99 * 1000,
    };
  }
}
