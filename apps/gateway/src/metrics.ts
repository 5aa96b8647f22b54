// The gateway's Prometheus metrics, kept by prom-client in a registry of their own (never the
// global one: tests and tools may start several gateways in one process).
//
// Names, types, labels and buckets are the ones scrapers and dashboards already know:
//   holdfast_requests_total{gateway,region,procedure,outcome}            counter
//   holdfast_request_duration_seconds{gateway,region,procedure}          histogram
//   holdfast_canary_ok / _latency_seconds / _timestamp_seconds{gateway,region}  gauges, set by the canary
//   holdfast_requests_refused_total{gateway,region,reason}                counter: refused before the
//     router ran (reason "overloaded": the admission queue; "rate_limited": the flood shield's 429s)
// `gateway` and `region` are ordinary labels given first, not the registry's default labels:
// prom-client writes default labels after a metric's own, and the exposition keeps them first.
//
// Worker processes (a later issue runs the gateway under node:cluster): each worker keeps its own
// GatewayMetrics and calls `AggregatorRegistry.setRegistries([metrics.registry])`; the primary
// serves `/metrics` from `new AggregatorRegistry().clusterMetrics()`, which sums the counters and
// histograms across workers and merges the canary gauges by the `aggregator` set below.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

const bucketBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type GatewayLabel = 'gateway' | 'region';

export type RefusalReason = 'overloaded' | 'rate_limited';

type RequestCounter = Counter<GatewayLabel | 'procedure' | 'outcome'>;
type LatencyHistogram = Histogram<GatewayLabel | 'procedure'>;

export class GatewayMetrics {
  /** Exposed for the cluster aggregator (see above). */
  readonly registry = new Registry();
  private readonly labels: Record<GatewayLabel, string>;
  private readonly requests: RequestCounter;
  private readonly latency: LatencyHistogram;
  private readonly refused: Counter<GatewayLabel | 'reason'>;
  // prom-client hashes the label object on every inc()/observe(); the children by (procedure,
  // outcome) are few and fixed, so each is looked up once (issue 9: label building per request).
  private readonly requestChildren = new Map<string, ReturnType<RequestCounter['labels']>>();
  private readonly latencyChildren = new Map<string, ReturnType<LatencyHistogram['labels']>>();
  private readonly refusedChildren = new Map<RefusalReason, ReturnType<Counter<GatewayLabel | 'reason'>['labels']>>();
  private readonly canaryOk: Gauge<GatewayLabel>;
  private readonly canaryLatency: Gauge<GatewayLabel>;
  private readonly canaryTimestamp: Gauge<GatewayLabel>;

  /**
   * @param options.gatewayId, options.region  labels on every series.
   * @param options.isProcessMetrics  also export prom-client's process and Node.js metrics
   *   (CPU, memory, event-loop lag, handles); default true.
   */
  constructor(options: { gatewayId: string; region: string; isProcessMetrics?: boolean }) {
    this.labels = { gateway: options.gatewayId, region: options.region };
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'holdfast_requests_total',
      help: 'Procedure calls by outcome.',
      labelNames: ['gateway', 'region', 'procedure', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'holdfast_request_duration_seconds',
      help: 'Procedure latency.',
      labelNames: ['gateway', 'region', 'procedure'],
      buckets: bucketBounds,
      registers,
    });
    this.refused = new Counter({
      name: 'holdfast_requests_refused_total',
      help: 'Requests refused before the router ran, by reason (overloaded: admission queue; rate_limited: flood shield).',
      labelNames: ['gateway', 'region', 'reason'],
      registers,
    });
    // Both series exist from the start: "no refusals" reads as 0, not as a missing metric.
    for (const reason of ['overloaded', 'rate_limited'] as const) this.refusedChildren.set(reason, this.refused.labels({ ...this.labels, reason }));
    // Labelled gauges have no series until the first canary result: "no canary yet" stays absent,
    // not a 0 that would read as a failed login. Merged across workers, one failing canary shows.
    this.canaryOk = new Gauge({
      name: 'holdfast_canary_ok',
      help: 'Last canary login succeeded (1) or not (0).',
      labelNames: ['gateway', 'region'],
      aggregator: 'min',
      registers,
    });
    this.canaryLatency = new Gauge({
      name: 'holdfast_canary_latency_seconds',
      help: 'Latency of the last canary login.',
      labelNames: ['gateway', 'region'],
      aggregator: 'max',
      registers,
    });
    this.canaryTimestamp = new Gauge({
      name: 'holdfast_canary_timestamp_seconds',
      help: 'When the last canary login ran (Unix seconds).',
      labelNames: ['gateway', 'region'],
      aggregator: 'max',
      registers,
    });
    if (options.isProcessMetrics ?? true) collectDefaultMetrics({ register: this.registry, labels: this.labels });
  }

  /** `Content-Type` of `render()`'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  observe(event: { procedure: string; outcome: string; seconds: number }): void {
    const key = `${event.procedure}\u0000${event.outcome}`;
    let counter = this.requestChildren.get(key);
    if (counter === undefined) {
      counter = this.requests.labels({ ...this.labels, procedure: event.procedure, outcome: event.outcome });
      this.requestChildren.set(key, counter);
    }
    counter.inc();
    let histogram = this.latencyChildren.get(event.procedure);
    if (histogram === undefined) {
      histogram = this.latency.labels({ ...this.labels, procedure: event.procedure });
      this.latencyChildren.set(event.procedure, histogram);
    }
    histogram.observe(event.seconds);
  }

  recordRefusal(reason: RefusalReason): void {
    this.refusedChildren.get(reason)?.inc();
  }

  recordCanary(result: { ok: boolean; latencySeconds: number; at: number }): void {
    this.canaryOk.set(this.labels, result.ok ? 1 : 0);
    this.canaryLatency.set(this.labels, result.latencySeconds);
    this.canaryTimestamp.set(this.labels, result.at / 1000);
  }

  /** The exposition text (async: prom-client collects each metric, process metrics included, on demand). */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
