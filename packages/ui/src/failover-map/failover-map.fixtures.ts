// Snapshots for the failover map's render test, shaped as the gateway's collector builds them.
import type { ClusterOverview, GatewayStatus, RegionStatus } from '@holdfast/validators';

export const fixtureNow = Date.parse('2026-11-29T05:50:03.000Z');

function gateway(id: string, region: string, port: number, extra: Partial<GatewayStatus> = {}): GatewayStatus {
  return {
    id,
    region,
    url: `http://127.0.0.1:${String(port)}`,
    reachable: true,
    ready: true,
    canaryLatencyMs: 14,
    canaryAgeMs: 800,
    requestsPerSecond: 12.5,
    successRate: 1,
    p99Ms: 48.2,
    auditSpoolEvents: 0,
    historyRewritten: false,
    ...extra,
  };
}

function region(n: number, role: 'leader' | 'sync_standby' | 'replica', gateways: GatewayStatus[], primary = 'pg1'): RegionStatus {
  return {
    name: `region-${String(n)}`,
    postgres: [{ name: `pg${String(n)}`, role, state: role === 'leader' ? 'running' : 'streaming', timeline: 1, lagBytes: role === 'leader' ? 0 : 0 }],
    etcd: [{ name: `etcd${String(n)}`, healthy: true, isLeader: n === 2 }],
    haproxy: [{ name: `haproxy-region-${String(n)}`, up: true, primaryBackend: primary }],
    gateways,
  };
}

const sourcesOk = [1, 2, 3].flatMap((n) => [
  { kind: 'patroni' as const, name: `pg${String(n)}`, url: `http://127.0.0.1:${String(8007 + n)}`, ok: true, error: null },
  { kind: 'etcd' as const, name: `etcd${String(n)}`, url: `http://127.0.0.1:${String(2377 + 2 * n)}`, ok: true, error: null },
]);

export const healthyCluster: ClusterOverview = {
  generatedAt: '2026-11-29T05:50:01.000Z',
  observedBy: { gatewayId: 'gw-r1-1', region: 'region-1' },
  topology: 'cluster',
  pollIntervalMs: 1000,
  regions: [
    region(1, 'leader', [gateway('gw-r1-1', 'region-1', 4111), gateway('gw-r1-2', 'region-1', 4112)]),
    region(2, 'sync_standby', [gateway('gw-r2-1', 'region-2', 4121)]),
    region(3, 'replica', [gateway('gw-r3-1', 'region-3', 4131)]),
  ],
  failovers: [],
  sources: sourcesOk,
};

/** pg1's whole region killed: Patroni promoted pg2 on timeline 2; HAProxy routes writes there. */
export const deadLeader: ClusterOverview = {
  generatedAt: '2026-11-29T05:50:02.500Z',
  observedBy: { gatewayId: 'gw-r2-1', region: 'region-2' },
  topology: 'cluster',
  pollIntervalMs: 1000,
  regions: [
    {
      name: 'region-1',
      postgres: [{ name: 'pg1', role: 'unknown', state: 'unreachable', timeline: null, lagBytes: null }],
      etcd: [{ name: 'etcd1', healthy: false, isLeader: null }],
      haproxy: [{ name: 'haproxy-region-1', up: true, primaryBackend: 'pg2' }],
      gateways: [
        gateway('gw-r1-1', 'region-1', 4111, {
          reachable: false,
          ready: false,
          canaryLatencyMs: null,
          canaryAgeMs: null,
          requestsPerSecond: null,
          successRate: null,
          p99Ms: null,
          auditSpoolEvents: null,
        }),
        gateway('gw-r1-2', 'region-1', 4112, { ready: false, canaryAgeMs: 9_400, successRate: 0.874, auditSpoolEvents: 3 }),
      ],
    },
    {
      ...region(2, 'leader', [gateway('gw-r2-1', 'region-2', 4121)], 'pg2'),
      postgres: [{ name: 'pg2', role: 'leader', state: 'running', timeline: 2, lagBytes: 0 }],
    },
    {
      ...region(3, 'sync_standby', [gateway('gw-r3-1', 'region-3', 4131)], 'pg2'),
      postgres: [{ name: 'pg3', role: 'sync_standby', state: 'streaming', timeline: 2, lagBytes: 2048 }],
    },
  ],
  failovers: [{ timeline: 2, leader: 'pg2', at: '2026-11-29T05:49:58.123Z', reason: 'no recovery target specified' }],
  sources: [
    { kind: 'patroni', name: 'pg1', url: 'http://127.0.0.1:8008', ok: false, error: 'connection refused' },
    { kind: 'etcd', name: 'etcd1', url: 'http://127.0.0.1:2379', ok: false, error: 'connection refused' },
    { kind: 'gateway', name: 'gw-r1-1', url: 'http://127.0.0.1:4111', ok: false, error: 'timeout' },
    ...sourcesOk.filter((s) => s.name !== 'pg1' && s.name !== 'etcd1'),
  ],
};

/** npm start: one gateway, its database seen through /readyz, no Patroni. */
export const singleRegion: ClusterOverview = {
  generatedAt: '2026-11-29T05:50:03.000Z',
  observedBy: { gatewayId: 'gw-local-1', region: 'local' },
  topology: 'single',
  pollIntervalMs: 1000,
  regions: [
    {
      name: 'local',
      postgres: [{ name: 'postgres', role: 'leader', state: 'running', timeline: null, lagBytes: 0 }],
      etcd: [],
      haproxy: [],
      gateways: [gateway('gw-local-1', 'local', 4000, { requestsPerSecond: 0, successRate: null, p99Ms: null })],
    },
  ],
  failovers: [],
  sources: [{ kind: 'gateway', name: 'gw-local-1', url: 'http://127.0.0.1:4000', ok: true, error: null }],
};
