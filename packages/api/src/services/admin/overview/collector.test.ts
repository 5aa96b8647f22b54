import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterOverview } from '@holdfast/validators';
import { createOverviewCollector, type OverviewCollector } from './collector';
import type { OverviewTopology } from './topology';

// The collector against stand-ins for Patroni, etcd, HAProxy and a gateway that answer with bodies
// captured from the real `npm run cluster` (fixtures/); a stopped node is a closed port.

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

type Routes = Record<string, { status?: number; body: string } | undefined>;

const servers: http.Server[] = [];

async function serve(routes: Routes): Promise<string> {
  const server = http.createServer((req, res) => {
    const route = routes[`${req.method ?? 'GET'} ${req.url ?? '/'}`];
    res.writeHead(route?.status ?? (route === undefined ? 404 : 200));
    res.end(route?.body ?? '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

/** A port nothing listens on: a server started and closed again. */
async function closedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return `http://127.0.0.1:${String(port)}`;
}

/** A Patroni stand-in that answers as a leader until `setSlow()`, then accepts connections and answers nothing. */
async function startSlowablePatroni(): Promise<{ url: string; server: http.Server; setSlow: () => void }> {
  let isSlow = false;
  const server = http.createServer((req, res) => {
    if (isSlow) return;
    res.writeHead(200);
    res.end(req.url === '/patroni' ? fixture('patroni-node-leader.json') : '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    server,
    setSlow: () => {
      isSlow = true;
    },
  };
}

/** The first snapshot the collector polls from now on that `isIt` accepts. */
function nextSnapshotWhere(collector: OverviewCollector, isIt: (overview: ClusterOverview) => boolean): Promise<ClusterOverview> {
  return new Promise((resolve) => {
    const stop = collector.subscribe((overview) => {
      if (!isIt(overview)) return;
      stop();
      resolve(overview);
    });
  });
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) =>
          s.close(() => {
            resolve();
          }),
        ),
    ),
  );
});

describe('createOverviewCollector', () => {
  it('builds the map from every source at once; a dead leader is unreachable, not a thrown error', async () => {
    const cluster = { body: fixture('patroni-cluster-after-failover.json') };
    const history = { body: fixture('patroni-history-after-failover.json') };
    const pg1 = await closedUrl();
    const pg2 = await serve({ 'GET /patroni': { body: fixture('patroni-node-leader.json') }, 'GET /cluster': cluster, 'GET /history': history });
    const pg3 = await serve({ 'GET /patroni': { body: fixture('patroni-node-replica.json') }, 'GET /cluster': cluster, 'GET /history': history });
    const etcd1 = await closedUrl();
    const etcd2 = await serve({
      'GET /health': { body: fixture('etcd-health.json') },
      'POST /v3/maintenance/status': { body: fixture('etcd-status-leader.json') },
    });
    const haproxy = await serve({ 'GET /stats;csv': { body: fixture('haproxy-stats-after-failover.csv') } });
    const gatewayUp = await serve({ 'GET /readyz': { body: fixture('gateway-readyz.json') }, 'GET /metrics': { body: fixture('gateway-metrics.txt') } });
    const gatewayDown = await closedUrl();
    const topology: OverviewTopology = {
      version: 1,
      topology: 'cluster',
      regions: [
        {
          name: 'region-1',
          patroni: [{ name: 'pg1', url: pg1 }],
          etcd: [{ name: 'etcd1', url: etcd1 }],
          haproxy: [{ name: 'haproxy-region-1', host: '127.0.0.1', port: 1, listener: 'primary_region-1', statsUrl: `${haproxy}/stats` }],
          gateways: [{ id: 'gw-r1-1', url: gatewayDown }],
        },
        {
          name: 'region-2',
          patroni: [{ name: 'pg2', url: pg2 }],
          etcd: [{ name: 'etcd2', url: etcd2 }],
          haproxy: [],
          gateways: [{ id: 'gw-r2-1', url: gatewayUp }],
        },
        { name: 'region-3', patroni: [{ name: 'pg3', url: pg3 }], etcd: [], haproxy: [], gateways: [] },
      ],
    };
    const collector = createOverviewCollector({ self: { gatewayId: 'gw-r2-1', region: 'region-2' }, topology: () => topology, settings: { timeoutMs: 500 } });
    try {
      const overview = await collector.snapshot();
      const [r1, r2, r3] = overview.regions;
      expect(overview).toMatchObject({ topology: 'cluster', observedBy: { gatewayId: 'gw-r2-1', region: 'region-2' }, pollIntervalMs: 1000 });
      expect(r1?.postgres).toEqual([{ name: 'pg1', role: 'unknown', state: 'unreachable', timeline: null, lagBytes: null }]);
      expect(r2?.postgres).toEqual([{ name: 'pg2', role: 'leader', state: 'running', timeline: 2, lagBytes: 0 }]);
      expect(r3?.postgres[0]).toMatchObject({ name: 'pg3', role: 'sync_standby', state: 'running', timeline: 2 });
      expect(r1?.etcd).toEqual([{ name: 'etcd1', healthy: false, isLeader: null }]);
      expect(r2?.etcd).toEqual([{ name: 'etcd2', healthy: true, isLeader: true }]);
      expect(r1?.haproxy).toEqual([{ name: 'haproxy-region-1', up: true, primaryBackend: 'pg2' }]);
      expect(r1?.gateways[0]).toMatchObject({ id: 'gw-r1-1', reachable: false, ready: false, canaryLatencyMs: null });
      expect(r2?.gateways[0]).toMatchObject({ id: 'gw-r2-1', reachable: true, ready: true, historyRewritten: false });
      expect(overview.failovers[0]).toMatchObject({ timeline: 2, leader: 'pg2' });
      const failed = overview.sources.filter((s) => !s.ok).map((s) => [s.kind, s.name, s.error]);
      expect(failed).toEqual([
        ['patroni', 'pg1', 'connection refused'],
        ['etcd', 'etcd1', 'connection refused'],
        ['gateway', 'gw-r1-1', 'connection refused'],
      ]);
    } finally {
      collector.close();
    }
  });

  it('a source slower than the timeout is unreachable (timeout) for that poll', async () => {
    const server = http.createServer(() => {
      // never answers
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const collector = createOverviewCollector({
      self: { gatewayId: 'gw', region: 'local' },
      topology: () => ({ version: 1, topology: 'single', regions: [{ name: 'local', patroni: [], etcd: [], haproxy: [], gateways: [{ id: 'gw', url }] }] }),
      settings: { timeoutMs: 200, gatewayTimeoutMs: 200 },
    });
    try {
      const started = Date.now();
      const overview = await collector.snapshot();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(overview.sources).toEqual([{ kind: 'gateway', name: 'gw', url, ok: false, error: 'timeout' }]);
      expect(overview.regions[0]?.postgres).toEqual([{ name: 'postgres', role: 'unknown', state: 'unknown', timeline: null, lagBytes: null }]);
      server.closeAllConnections();
    } finally {
      collector.close();
    }
  });

  it('a Patroni node that only times out keeps its last word for the grace, then is unreachable (a refused one is unreachable at once: the first test)', async () => {
    const slow = await startSlowablePatroni(); // when slow: too busy to answer in time
    let clock = 1_000_000;
    const topology: OverviewTopology = {
      version: 1,
      topology: 'cluster',
      regions: [{ name: 'r1', patroni: [{ name: 'pg1', url: slow.url }], etcd: [], haproxy: [], gateways: [] }],
    };
    const collector = createOverviewCollector({
      self: { gatewayId: 'gw', region: 'r1' },
      topology: () => topology,
      settings: { timeoutMs: 150, pollIntervalMs: 50, slowSourceGraceMs: 3000 },
      now: () => clock,
    });
    type Overview = ClusterOverview;
    const nextWhere = (isIt: (overview: Overview) => boolean): Promise<Overview> => nextSnapshotWhere(collector, isIt);
    const timedOut = (overview: Overview): boolean => overview.sources.some((s) => s.name === 'pg1' && s.error === 'timeout');
    try {
      const first = await collector.snapshot();
      expect(first.regions[0]?.postgres[0]).toMatchObject({ name: 'pg1', role: 'leader', state: 'running' });
      slow.setSlow();
      clock += 2000;
      const withinGrace = await nextWhere(timedOut);
      expect(withinGrace.regions[0]?.postgres[0]).toMatchObject({ name: 'pg1', role: 'leader', state: 'running' });
      clock += 3500;
      const afterGrace = await nextWhere((overview) => timedOut(overview) && overview.regions[0]?.postgres[0]?.state === 'unreachable');
      expect(afterGrace.regions[0]?.postgres[0]).toEqual({ name: 'pg1', role: 'unknown', state: 'unreachable', timeline: null, lagBytes: null });
      slow.server.closeAllConnections();
    } finally {
      collector.close();
    }
  });

  it('the DCS’s word for a timed-out node also ends with the grace: a partitioned old leader the DCS still lists as leader is then unreachable', async () => {
    const slow = await startSlowablePatroni(); // when slow: partitioned, the connection opens, nothing answers
    // pg2 answers, and its /cluster (the DCS) still lists pg1 as the leader (its key's TTL has not run out).
    const pg2 = await serve({
      'GET /patroni': { body: fixture('patroni-node-replica.json') },
      'GET /cluster': { body: fixture('patroni-cluster-healthy.json') },
    });
    let clock = 1_000_000;
    const topology: OverviewTopology = {
      version: 1,
      topology: 'cluster',
      regions: [
        {
          name: 'r1',
          patroni: [
            { name: 'pg1', url: slow.url },
            { name: 'pg2', url: pg2 },
          ],
          etcd: [],
          haproxy: [],
          gateways: [],
        },
      ],
    };
    const collector = createOverviewCollector({
      self: { gatewayId: 'gw', region: 'r1' },
      topology: () => topology,
      settings: { timeoutMs: 150, pollIntervalMs: 50, slowSourceGraceMs: 3000 },
      now: () => clock,
    });
    type Overview = ClusterOverview;
    const nextWhere = (isIt: (overview: Overview) => boolean): Promise<Overview> => nextSnapshotWhere(collector, isIt);
    const timedOut = (overview: Overview): boolean => overview.sources.some((s) => s.name === 'pg1' && s.error === 'timeout');
    const pg1 = (overview: Overview) => overview.regions[0]?.postgres.find((node) => node.name === 'pg1');
    try {
      expect(pg1(await collector.snapshot())).toMatchObject({ role: 'leader', state: 'running' });
      slow.setSlow();
      clock += 2000;
      // Within the grace of its last own answer: the DCS's word.
      const withinGrace = await nextWhere(timedOut);
      expect(pg1(withinGrace)).toEqual({ name: 'pg1', role: 'leader', state: 'running', timeline: 1, lagBytes: 0 });
      clock += 3500;
      // Past it: unreachable, though the DCS still says leader.
      const afterGrace = await nextWhere((overview) => timedOut(overview) && pg1(overview)?.state === 'unreachable');
      expect(pg1(afterGrace)).toEqual({ name: 'pg1', role: 'unknown', state: 'unreachable', timeline: null, lagBytes: null });
      expect(afterGrace.regions[0]?.postgres.find((node) => node.name === 'pg2')).toMatchObject({ role: 'sync_standby' });
      slow.server.closeAllConnections();
    } finally {
      collector.close();
    }
  });

  it('polls only while wanted: subscribers get each poll; it stops when nobody asked for idleStopMs', async () => {
    const gateway = await serve({ 'GET /readyz': { body: fixture('gateway-readyz.json') }, 'GET /metrics': { body: fixture('gateway-metrics.txt') } });
    const collector = createOverviewCollector({
      self: { gatewayId: 'gw', region: 'local' },
      topology: () => ({
        version: 1,
        topology: 'single',
        regions: [{ name: 'local', patroni: [], etcd: [], haproxy: [], gateways: [{ id: 'gw', url: gateway }] }],
      }),
      settings: { pollIntervalMs: 50, idleStopMs: 200, timeoutMs: 500 },
    });
    try {
      expect(collector.isPolling).toBe(false);
      const seen: string[] = [];
      const unsubscribe = collector.subscribe((o) => seen.push(o.generatedAt));
      expect(collector.isPolling).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(seen.length).toBeGreaterThanOrEqual(3);
      unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(collector.isPolling).toBe(false);
      const overview = await collector.snapshot();
      expect(overview.regions[0]?.gateways[0]).toMatchObject({ reachable: true, ready: true });
      expect(collector.isPolling).toBe(true);
    } finally {
      collector.close();
    }
  });

  it('before the gateway listens (no topology yet) the snapshot says so instead of failing', async () => {
    const collector = createOverviewCollector({ self: { gatewayId: 'gw', region: 'local' }, topology: () => null });
    try {
      const overview = await collector.snapshot();
      expect(overview.regions).toEqual([]);
      expect(overview.sources).toEqual([{ kind: 'topology', name: 'topology', url: '', ok: false, error: 'this gateway is not listening yet' }]);
    } finally {
      collector.close();
    }
  });
});
