// The live failover map's collector (issue 13). One per gateway process, shared by every viewer:
// it starts when someone asks (a snapshot or an open stream), polls every source about once a
// second — each Patroni node, etcd member, HAProxy and gateway, all at once, each with a short
// timeout — and stops when nobody has asked for a while. It never touches the database: the map
// has to keep showing the truth while the primary is down. A source that does not answer is null
// in the snapshot plus a `sources` entry saying why; polling never throws.
import type {
  ClusterOverview,
  EtcdMemberStatus,
  FailoverEvent,
  GatewayStatus,
  HaproxyStatus,
  OverviewSource,
  PostgresNodeStatus,
  RegionStatus,
} from '@holdfast/validators';
import { parseEtcdHealth, parseEtcdIsLeader } from './etcd';
import { parseHaproxyPrimary } from './haproxy';
import { metricsSampleOf, MetricsWindow } from './metrics-window';
import { parsePatroniCluster, parsePatroniHistory, parsePatroniNode, type PatroniClusterMember, type PatroniNodeReport } from './patroni';
import { parseJson, probeHttp, probeTcp, type ProbeResult } from './probe';
import { parseGatewayReadyz } from './readyz';
import type { OverviewRegionTopology, OverviewTopology } from './topology';

export interface OverviewCollectorSettings {
  /** Time from the start of one poll to the start of the next (a slow poll is followed at once). */
  pollIntervalMs: number;
  /** Per request: a source slower than this is reported unreachable (timeout) for that poll. */
  timeoutMs: number;
  /**
   * For gateways' /readyz and /metrics: /readyz waits up to 1 s for its database probe, so while
   * the primary is down a shorter timeout would call a live gateway unreachable.
   */
  gatewayTimeoutMs: number;
  /** With no open stream, polling stops this long after the last snapshot was asked for. */
  idleStopMs: number;
  /** Rates and p99 are computed over this window. */
  windowMs: number;
  /**
   * A Patroni node that merely answered too slowly (a timeout, not a refused connection) keeps
   * what it last said for this long before it is shown unreachable. Patroni's REST server is slow
   * exactly while it fails over; without this grace one slow poll showed every node unreachable
   * and hid the new leader for seconds (the primary-kill drill's live-map check, under load).
   */
  slowSourceGraceMs: number;
}

export const defaultOverviewCollectorSettings: OverviewCollectorSettings = {
  pollIntervalMs: 1000,
  timeoutMs: 800,
  gatewayTimeoutMs: 1500,
  idleStopMs: 30_000,
  windowMs: 60_000,
  slowSourceGraceMs: 3000,
};

/** What the API and the stream need from the collector (ServiceDeps.overview). */
export interface OverviewSourceHandle {
  /** The latest snapshot (at most about a poll old); starts polling and waits for the first poll when idle. */
  snapshot: () => Promise<ClusterOverview>;
  /** Called with every new snapshot while subscribed; polling runs while anyone is. Returns the unsubscribe. */
  subscribe: (listener: (overview: ClusterOverview) => void) => () => void;
}

export interface OverviewCollector extends OverviewSourceHandle {
  /** Whether it is polling now (tests; metrics). */
  readonly isPolling: boolean;
  close: () => void;
}

type Source = OverviewSource;

function source(kind: NonNullable<Source['kind']>, name: string, url: string, result: ProbeResult | null, error?: string): Source {
  const failure = error ?? (result === null ? 'no answer' : result.ok ? null : result.error);
  return { kind, name, url, ok: failure === null, error: failure };
}

/** A 5xx/4xx from a source that should answer 200 (or 503 with its JSON, for Patroni and /readyz). */
function statusError(result: ProbeResult, allowed: readonly number[]): string | undefined {
  if (!result.ok) return undefined;
  return allowed.includes(result.status) ? undefined : `HTTP ${String(result.status)}`;
}

/** Runs `probe` on every item at once; each item's sources land in `sources` in the items' order, not in answer order. */
async function inOrder<T, R>(sources: Source[], items: readonly T[], probe: (item: T, sources: Source[]) => Promise<R>): Promise<R[]> {
  const found = items.map((): Source[] => []);
  const results = await Promise.all(items.map((item, i) => probe(item, found[i] ?? [])));
  sources.push(...found.flat());
  return results;
}

/** A node's status from its own /patroni answer and, when the DCS (/cluster, from any node) lists it, the DCS's word. */
function nodeStatus(name: string, report: PatroniNodeReport, member: PatroniClusterMember | undefined): PostgresNodeStatus {
  return {
    name,
    role: member?.role ?? report.role,
    // The node's own word when Postgres is not running (fresher than the DCS); else the DCS's,
    // which says "streaming" for a replica that is attached.
    state: report.state === 'running' && member !== undefined ? member.state : report.state,
    timeline: member?.timeline ?? report.timeline,
    lagBytes: member?.lagBytes ?? (report.role === 'leader' ? 0 : null),
  };
}

function memberStatus(name: string, member: PatroniClusterMember): PostgresNodeStatus {
  return { name, role: member.role, state: member.state, timeline: member.timeline, lagBytes: member.lagBytes };
}

export function createOverviewCollector(options: {
  self: { gatewayId: string; region: string };
  /** The topology now; null while it is not known yet (this gateway is not listening). */
  topology: () => OverviewTopology | null;
  settings?: Partial<OverviewCollectorSettings>;
  now?: () => number;
}): OverviewCollector {
  const settings: OverviewCollectorSettings = { ...defaultOverviewCollectorSettings, ...options.settings };
  const now = options.now ?? Date.now;
  const listeners = new Set<(overview: ClusterOverview) => void>();
  const windows = new Map<string, MetricsWindow>();
  /** Each Patroni node's last status built from its OWN answer, and when (the grace below counts from it). */
  const lastKnownNodes = new Map<string, { status: PostgresNodeStatus; at: number }>();
  let latest: ClusterOverview | null = null;
  let inFlight: Promise<ClusterOverview> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let isPolling = false;
  let isClosed = false;
  let lastAskedAt = 0;

  const windowOf = (gatewayId: string): MetricsWindow => {
    let window = windows.get(gatewayId);
    if (window === undefined) {
      window = new MetricsWindow(settings.windowMs);
      windows.set(gatewayId, window);
    }
    return window;
  };

  const get = (url: string): Promise<ProbeResult> => probeHttp(url, { timeoutMs: settings.timeoutMs });
  const urlOf = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;

  async function collectPatroni(
    region: OverviewRegionTopology,
    sources: Source[],
  ): Promise<{ nodes: PostgresNodeStatus[]; members: PatroniClusterMember[] | null; history: FailoverEvent[] | null }> {
    const answers = await Promise.all(
      region.patroni.map(async (node) => {
        const [own, cluster, history] = await Promise.all([
          get(urlOf(node.url, '/patroni')),
          get(urlOf(node.url, '/cluster')),
          get(urlOf(node.url, '/history')),
        ]);
        return { node, own, cluster, history };
      }),
    );
    let members: PatroniClusterMember[] | null = null;
    let history: FailoverEvent[] | null = null;
    for (const answer of answers) {
      if (members === null && answer.cluster.ok && answer.cluster.status === 200) members = parsePatroniCluster(parseJson(answer.cluster.text));
      if (history === null && answer.history.ok && answer.history.status === 200) history = parsePatroniHistory(parseJson(answer.history.text));
    }
    const polledAt = now();
    const nodes = answers.map(({ node, own }): PostgresNodeStatus => {
      // Patroni answers /patroni with 503 and the same JSON while its Postgres is not running.
      const report = own.ok ? parsePatroniNode(parseJson(own.text)) : null;
      const problem = own.ok && report === null ? `HTTP ${String(own.status)}: not a Patroni answer` : statusError(own, [200, 503]);
      sources.push(source('patroni', node.name, node.url, own, problem));
      const member = members?.find((m) => m.name === node.name);
      if (report !== null) {
        const status = nodeStatus(node.name, report, member);
        lastKnownNodes.set(node.name, { status, at: polledAt });
        return status;
      }
      // Slow is not dead: a node that timed out (Patroni's REST server is slow exactly while it
      // fails over) is shown as the DCS lists it, or else as it last answered — but only within
      // slowSourceGraceMs of its last own answer, the DCS's word included: a partitioned old
      // leader stays listed as leader until its DCS key's TTL ends, and the map must not show it
      // leading that long. A refused connection is shown unreachable at once, for the same reason.
      if (!own.ok && own.error === 'timeout') {
        const last = lastKnownNodes.get(node.name);
        if (last !== undefined && polledAt - last.at <= settings.slowSourceGraceMs) {
          return member === undefined ? last.status : memberStatus(node.name, member);
        }
      }
      return { name: node.name, role: 'unknown', state: 'unreachable', timeline: null, lagBytes: null };
    });
    return { nodes, members, history };
  }

  async function collectEtcd(region: OverviewRegionTopology, sources: Source[]): Promise<EtcdMemberStatus[]> {
    return inOrder(sources, region.etcd, async (member, sources) => {
      const [health, status] = await Promise.all([
        get(urlOf(member.url, '/health')),
        probeHttp(urlOf(member.url, '/v3/maintenance/status'), { timeoutMs: settings.timeoutMs, method: 'POST', body: '{}' }),
      ]);
      const healthy = health.ok ? parseEtcdHealth(parseJson(health.text)) : null;
      sources.push(
        source('etcd', member.name, member.url, health, health.ok && healthy === null ? `HTTP ${String(health.status)}: not an etcd answer` : undefined),
      );
      const isLeader = status.ok && status.status === 200 ? parseEtcdIsLeader(parseJson(status.text)) : null;
      return { name: member.name, healthy: healthy === true, isLeader };
    });
  }

  async function collectHaproxy(region: OverviewRegionTopology, sources: Source[]): Promise<HaproxyStatus[]> {
    return inOrder(sources, region.haproxy, async (proxy, sources): Promise<HaproxyStatus> => {
      if (proxy.statsUrl === undefined) {
        const tcp = await probeTcp(proxy.host, proxy.port, settings.timeoutMs);
        sources.push(source('haproxy', proxy.name, `tcp://${proxy.host}:${String(proxy.port)}`, tcp));
        return { name: proxy.name, up: tcp.ok, primaryBackend: null };
      }
      const stats = await get(`${proxy.statsUrl};csv`);
      const parsed = stats.ok && stats.status === 200 && proxy.listener !== undefined ? parseHaproxyPrimary(stats.text, proxy.listener) : null;
      const problem = statusError(stats, [200]) ?? (parsed !== null && !parsed.found ? `listener ${proxy.listener ?? ''} not in the stats` : undefined);
      sources.push(source('haproxy', proxy.name, proxy.statsUrl, stats, problem));
      return { name: proxy.name, up: stats.ok && stats.status === 200, primaryBackend: parsed?.primary ?? null };
    });
  }

  async function collectGateways(region: OverviewRegionTopology, sources: Source[]): Promise<{ gateways: GatewayStatus[]; databaseOk: (boolean | null)[] }> {
    const databaseOk: (boolean | null)[] = [];
    const gateways = await inOrder(sources, region.gateways, async (gateway, sources): Promise<GatewayStatus> => {
      const slow = { timeoutMs: settings.gatewayTimeoutMs };
      const [readyz, metrics] = await Promise.all([probeHttp(urlOf(gateway.url, '/readyz'), slow), probeHttp(urlOf(gateway.url, '/metrics'), slow)]);
      const readiness = readyz.ok ? parseGatewayReadyz(parseJson(readyz.text)) : null;
      const problem = readyz.ok && readiness === null ? `HTTP ${String(readyz.status)}: not a gateway answer` : undefined;
      sources.push(source('gateway', gateway.id, gateway.url, readyz, problem));
      const window = windowOf(gateway.id);
      if (metrics.ok && metrics.status === 200) window.add(metricsSampleOf(metrics.text, now()));
      else if (readiness !== null) sources.push(source('gateway', gateway.id, urlOf(gateway.url, '/metrics'), metrics, statusError(metrics, [200])));
      const rates = readiness !== null && metrics.ok ? window.rates() : { requestsPerSecond: null, successRate: null, p99Ms: null };
      databaseOk.push(readiness?.databaseOk ?? null);
      return {
        id: gateway.id,
        region: region.name,
        url: gateway.url,
        reachable: readiness !== null,
        ready: readiness?.ready ?? false,
        canaryLatencyMs: readiness?.canaryLatencyMs ?? null,
        canaryAgeMs: readiness?.canaryAgeMs ?? null,
        requestsPerSecond: rates.requestsPerSecond,
        successRate: rates.successRate,
        p99Ms: rates.p99Ms,
        auditSpoolEvents: readiness?.auditSpoolEvents ?? null,
        historyRewritten: readiness?.historyRewritten ?? false,
      };
    });
    return { gateways, databaseOk };
  }

  /** npm start has no Patroni: the database is known only by whether the gateways reach it. */
  function singleDatabase(databaseOk: readonly (boolean | null)[]): PostgresNodeStatus {
    const answered = databaseOk.filter((ok): ok is boolean => ok !== null);
    if (answered.some((ok) => ok)) return { name: 'postgres', role: 'leader', state: 'running', timeline: null, lagBytes: 0 };
    return { name: 'postgres', role: 'unknown', state: answered.length > 0 ? 'unreachable' : 'unknown', timeline: null, lagBytes: null };
  }

  async function pollOnce(): Promise<ClusterOverview> {
    const topology = options.topology();
    const base = {
      observedBy: { gatewayId: options.self.gatewayId, region: options.self.region },
      pollIntervalMs: settings.pollIntervalMs,
    };
    if (topology === null) {
      return {
        ...base,
        generatedAt: new Date(now()).toISOString(),
        topology: 'single',
        regions: [],
        failovers: [],
        sources: [{ kind: 'topology', name: 'topology', url: '', ok: false, error: 'this gateway is not listening yet' }],
      };
    }
    // Sources in a fixed order (by region, then Patroni, etcd, HAProxy, gateways, each as listed),
    // not in answer order: a snapshot changes only when what the sources say changes.
    const perRegion = topology.regions.map((): [Source[], Source[], Source[], Source[]] => [[], [], [], []]);
    const histories = topology.regions.map((): FailoverEvent[] | null => null);
    const regions = await Promise.all(
      topology.regions.map(async (region, index): Promise<RegionStatus> => {
        const bySource = perRegion[index] ?? [[], [], [], []];
        const [patroni, etcd, haproxy, gateways] = await Promise.all([
          collectPatroni(region, bySource[0]),
          collectEtcd(region, bySource[1]),
          collectHaproxy(region, bySource[2]),
          collectGateways(region, bySource[3]),
        ]);
        histories[index] = patroni.history;
        const postgres = topology.topology === 'single' && region.patroni.length === 0 ? [singleDatabase(gateways.databaseOk)] : patroni.nodes;
        return { name: region.name, postgres, etcd, haproxy, gateways: gateways.gateways };
      }),
    );
    return {
      ...base,
      generatedAt: new Date(now()).toISOString(),
      topology: topology.topology,
      regions,
      failovers: histories.find((h) => h !== null) ?? [],
      sources: perRegion.flat(2),
    };
  }

  const notify = (overview: ClusterOverview): void => {
    for (const listener of listeners) {
      try {
        listener(overview);
      } catch {
        // A viewer's failure is its own: the others still get the snapshot.
      }
    }
  };

  const isWanted = (): boolean => listeners.size > 0 || now() - lastAskedAt < settings.idleStopMs;

  const poll = (): Promise<ClusterOverview> => {
    inFlight ??= pollOnce().then((overview) => {
      inFlight = null;
      latest = overview;
      notify(overview);
      return overview;
    });
    return inFlight;
  };

  const loop = (): void => {
    timer = null;
    if (isClosed || !isWanted()) {
      isPolling = false;
      // Stale once polling stops: the next viewer waits for a fresh poll instead.
      latest = null;
      return;
    }
    const startedAt = now();
    void poll().then(() => {
      if (isClosed) return;
      timer = setTimeout(loop, Math.max(0, settings.pollIntervalMs - (now() - startedAt)));
      timer.unref();
    });
  };

  const ensurePolling = (): void => {
    if (isPolling || isClosed) return;
    isPolling = true;
    loop();
  };

  return {
    snapshot: async () => {
      lastAskedAt = now();
      ensurePolling();
      return latest ?? (await poll());
    },
    subscribe: (listener) => {
      listeners.add(listener);
      ensurePolling();
      return () => {
        listeners.delete(listener);
        // The idle clock starts when the last viewer leaves, not at its last snapshot.
        lastAskedAt = now();
      };
    },
    get isPolling() {
      return isPolling;
    },
    close: () => {
      isClosed = true;
      listeners.clear();
      if (timer !== null) clearTimeout(timer);
      timer = null;
      isPolling = false;
    },
  };
}
