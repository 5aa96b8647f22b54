import type { ClusterOverview } from '@holdfast/validators';
import { describe, expect, it } from 'vitest';
import { overviewChangeKey, overviewFrame } from './overview-frames';

const overview: ClusterOverview = {
  generatedAt: '2026-11-29T05:50:01.000Z',
  observedBy: { gatewayId: 'gw-a', region: 'local' },
  topology: 'single',
  regions: [
    {
      name: 'local',
      postgres: [{ name: 'postgres', role: 'leader', state: 'running', timeline: null, lagBytes: 0 }],
      etcd: [],
      haproxy: [],
      gateways: [
        {
          id: 'gw-a',
          region: 'local',
          url: 'http://127.0.0.1:4000',
          reachable: true,
          ready: true,
          canaryLatencyMs: 12,
          canaryAgeMs: 300,
          requestsPerSecond: 3,
          successRate: 1,
          p99Ms: 20,
          auditSpoolEvents: 0,
          historyRewritten: false,
        },
      ],
    },
  ],
  failovers: [],
  sources: [{ kind: 'gateway', name: 'gw-a', url: 'http://127.0.0.1:4000', ok: true, error: 'line one\nline two' }],
};

describe('overview frames', () => {
  it('one event per snapshot, its JSON on one data line (a line break in a value cannot end the frame)', () => {
    const frame = overviewFrame(overview);
    expect(frame.startsWith('event: overview\ndata: ')).toBe(true);
    expect(frame.endsWith('\n\n')).toBe(true);
    expect(frame.split('\n')).toHaveLength(4);
    expect(JSON.parse(frame.slice('event: overview\ndata: '.length))).toEqual(overview);
  });

  it('the change key ignores time, ages and rates, and sees readiness, roles and sources', () => {
    const gateway = overview.regions[0]?.gateways[0];
    if (gateway === undefined) throw new Error('fixture');
    const key = overviewChangeKey(overview);
    const later = { ...overview, generatedAt: '2026-11-29T05:50:02.000Z' };
    const busier = { ...overview, regions: [{ ...overview.regions[0], gateways: [{ ...gateway, canaryAgeMs: 900, requestsPerSecond: 50, p99Ms: 80 }] }] };
    expect(overviewChangeKey(later)).toBe(key);
    expect(overviewChangeKey(busier as ClusterOverview)).toBe(key);
    const down = { ...overview, regions: [{ ...overview.regions[0], gateways: [{ ...gateway, reachable: false, ready: false }] }] };
    expect(overviewChangeKey(down as ClusterOverview)).not.toBe(key);
    expect(overviewChangeKey({ ...overview, sources: [{ ...overview.sources[0], url: 'x', ok: false, error: 'timeout' }] })).not.toBe(key);
  });
});
