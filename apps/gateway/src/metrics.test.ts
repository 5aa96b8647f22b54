import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from './metrics';

describe('gateway metrics exposition', () => {
  it('keeps the names, types, labels and buckets scrapers know', async () => {
    const metrics = new GatewayMetrics({ gatewayId: 'gw-1', region: 'eu', isProcessMetrics: false });
    expect(await metrics.render()).not.toMatch(/holdfast_canary_ok\{/);
    metrics.observe({ procedure: 'verify.totp', outcome: 'accepted', seconds: 0.003 });
    metrics.observe({ procedure: 'verify.totp', outcome: 'rejected', seconds: 0.02 });
    metrics.recordCanary({ ok: true, latencySeconds: 0.012, at: 1_700_000_000_500 });
    const text = await metrics.render();
    expect(text).toContain('# TYPE holdfast_requests_total counter\n');
    expect(text).toContain('# TYPE holdfast_request_duration_seconds histogram\n');
    expect(text).toContain('# TYPE holdfast_canary_ok gauge\n');
    expect(text).toContain('holdfast_requests_total{gateway="gw-1",region="eu",procedure="verify.totp",outcome="accepted"} 1\n');
    expect(text).toContain('holdfast_requests_total{gateway="gw-1",region="eu",procedure="verify.totp",outcome="rejected"} 1\n');
    const buckets = [
      ...text.matchAll(/holdfast_request_duration_seconds_bucket\{le="([^"]+)",gateway="gw-1",region="eu",procedure="verify.totp"\} (\d+)/g),
    ].map((m) => `${m[1] ?? ''}=${m[2] ?? ''}`);
    expect(buckets).toEqual([
      '0.001=0',
      '0.0025=0',
      '0.005=1',
      '0.01=1',
      '0.025=2',
      '0.05=2',
      '0.1=2',
      '0.25=2',
      '0.5=2',
      '1=2',
      '2.5=2',
      '5=2',
      '10=2',
      '+Inf=2',
    ]);
    expect(text).toContain('holdfast_request_duration_seconds_sum{gateway="gw-1",region="eu",procedure="verify.totp"} 0.023\n');
    expect(text).toContain('holdfast_request_duration_seconds_count{gateway="gw-1",region="eu",procedure="verify.totp"} 2\n');
    expect(text).toContain('holdfast_canary_ok{gateway="gw-1",region="eu"} 1\n');
    expect(text).toContain('holdfast_canary_latency_seconds{gateway="gw-1",region="eu"} 0.012\n');
    expect(text).toContain('holdfast_canary_timestamp_seconds{gateway="gw-1",region="eu"} 1700000000.5\n');
    expect(text).not.toContain('process_cpu');
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps each gateway in its own registry, with process metrics on by default', async () => {
    const one = new GatewayMetrics({ gatewayId: 'gw-1', region: 'eu' });
    const two = new GatewayMetrics({ gatewayId: 'gw-2', region: 'us' });
    one.observe({ procedure: 'verify.totp', outcome: 'accepted', seconds: 0.01 });
    expect(await two.render()).not.toContain('holdfast_requests_total{');
    expect(await two.render()).toMatch(/process_cpu_seconds_total\{gateway="gw-2",region="us"\}/);
  });
});
