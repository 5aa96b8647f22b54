/**
 * A minimal Prometheus text exposition: request counts by procedure and outcome, and one latency
 * histogram per procedure. Small enough to own; no global registry.
 */
const bucketBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  buckets: number[];
  sum: number;
  count: number;
}

export class GatewayMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private canary: { ok: boolean; latencySeconds: number; at: number } | null = null;

  observe(event: { procedure: string; outcome: string; seconds: number }): void {
    const key = `${event.procedure}\u0000${event.outcome}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let histogram = this.latency.get(event.procedure);
    if (histogram === undefined) {
      histogram = { buckets: bucketBounds.map(() => 0), sum: 0, count: 0 };
      this.latency.set(event.procedure, histogram);
    }
    const index = bucketBounds.findIndex((bound) => event.seconds <= bound);
    if (index >= 0) histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    histogram.sum += event.seconds;
    histogram.count += 1;
  }

  recordCanary(result: { ok: boolean; latencySeconds: number; at: number }): void {
    this.canary = result;
  }

  render(labels: { gatewayId: string; region: string }): string {
    const base = `gateway="${labels.gatewayId}",region="${labels.region}"`;
    const lines = ['# HELP holdfast_requests_total Procedure calls by outcome.', '# TYPE holdfast_requests_total counter'];
    for (const [key, count] of this.requests) {
      const [procedure = '', outcome = ''] = key.split('\u0000');
      lines.push(`holdfast_requests_total{${base},procedure="${procedure}",outcome="${outcome}"} ${count}`);
    }
    lines.push('# HELP holdfast_request_duration_seconds Procedure latency.', '# TYPE holdfast_request_duration_seconds histogram');
    for (const [procedure, histogram] of this.latency) {
      let cumulative = 0;
      bucketBounds.forEach((bound, i) => {
        cumulative += histogram.buckets[i] ?? 0;
        lines.push(`holdfast_request_duration_seconds_bucket{${base},procedure="${procedure}",le="${bound}"} ${cumulative}`);
      });
      lines.push(`holdfast_request_duration_seconds_bucket{${base},procedure="${procedure}",le="+Inf"} ${histogram.count}`);
      lines.push(`holdfast_request_duration_seconds_sum{${base},procedure="${procedure}"} ${histogram.sum}`);
      lines.push(`holdfast_request_duration_seconds_count{${base},procedure="${procedure}"} ${histogram.count}`);
    }
    if (this.canary !== null) {
      lines.push('# TYPE holdfast_canary_ok gauge', `holdfast_canary_ok{${base}} ${this.canary.ok ? 1 : 0}`);
      lines.push('# TYPE holdfast_canary_latency_seconds gauge', `holdfast_canary_latency_seconds{${base}} ${this.canary.latencySeconds}`);
      lines.push('# TYPE holdfast_canary_timestamp_seconds gauge', `holdfast_canary_timestamp_seconds{${base}} ${this.canary.at / 1000}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
