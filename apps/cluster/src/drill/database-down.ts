// The `database-down` drill (issue 12): no Postgres node at all for 20 s under load, then back.
//
// How: Patroni runs each Postgres as its child and would restart a Postgres killed alone, so every
// region's Patroni is stopped (SIGTERM: Patroni stops its Postgres with a fast shutdown and exits;
// SIGKILL of the tree after a grace period, then any orphan postmaster) — all three at once, so
// no replica is left to promote. etcd and HAProxy keep running: with no Patroni REST answering
// `/primary`, every HAProxy has no server and closes what it accepts, which is what clients of a
// wholly unavailable database see. After the hold the same three Patronis are started again
// (state.json records them); they elect a leader among themselves, as after a power cut.
// While it is down, each gateway is probed directly (a relying-app REST call, no SDK) to show it
// answers — a typed 503 within its request deadline — rather than hanging, and right before the
// database returns every gateway's spool segments are read: the spooled event ids (made by the
// gateways) that must all reach audit_events, once each, after recovery.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { clusterLogin, components, startComponents } from '../cluster';
import { postgresUrl, regionUrl, type ClusterConfig, type DatabaseLogin } from '../config';
import { childPath } from '../env';
import { checkRecordedProcess, isOurs, postmasterPid, readState, stopProcess } from '../processes';
import { fetchSpoolMetrics, readSpoolDir, type SpoolMetrics } from './spool-check';

/** How long no database node runs (from the moment the last one is gone). */
export const databaseDownHoldMs = 20_000;
/** Bounds: the database back after the restart; the spools empty after it is back. */
export const databaseBackBoundMs = 90_000;
export const spoolDrainBoundMs = 60_000;

export interface GatewayProbe {
  gateway: string;
  startMs: number;
  /** Time to the answer (or to the failure). */
  ms: number;
  status: number | null;
  /** `holdfastCode` of a problem+json answer. */
  code: string | null;
  /** No HTTP answer: reset, refused, or no answer within the probe's timeout (a hang). */
  error: string | null;
}

export interface GatewaySpoolSnapshot {
  gateway: string;
  /** Segment files and the event ids in them, read just before the database returned. */
  files: number;
  ids: string[];
  skipped: number;
  /** The gateway's own spool gauges at that moment (null: /metrics did not answer). */
  metrics: SpoolMetrics | null;
}

export interface OutageObservations {
  stopStartedAtMs: number;
  /** No Patroni and no postmaster left on any node. */
  allDownAtMs: number;
  restartAtMs: number;
  /** The first write acknowledged through HAProxy after the restart (commit waited for the sync standby); null: not within the bound. */
  backAtMs: number | null;
  /** Every gateway process is still the one started before the drill (none crashed). */
  gatewaysSurvived: boolean;
  /** Each gateway's spool counters just before the stop (the drill's share is the difference). */
  baseline: { gateway: string; metrics: SpoolMetrics | null }[];
  spools: GatewaySpoolSnapshot[];
  probes: GatewayProbe[];
  /** Set by the drill once the drain watcher (started at the restart) is done. */
  drain: SpoolDrain | null;
}

export interface SpoolDrain {
  /** When every gateway's spool gauge read 0 (ms since the drill started); null: not within the bound. */
  drainedAtMs: number | null;
  boundMs: number;
  /** The gauges at the end of the watch. */
  byGateway: { gateway: string; metrics: SpoolMetrics | null }[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Stops every region's Patroni (and so its Postgres) at once; resolves when no node runs. */
async function stopEveryDatabaseNode(config: ClusterConfig): Promise<void> {
  const state = await readState(config.dir);
  const patronis = state.processes.filter((p) => p.kind === 'patroni' && isOurs(p));
  await Promise.all(patronis.map((p) => stopProcess(p.pid, { graceMs: 15_000, withChildren: true })));
  // A postmaster whose Patroni died first keeps running on its own: that is still a database.
  for (const region of config.regions) {
    const orphan = postmasterPid(path.join(config.dir, region.node.name, 'data'));
    if (orphan !== null) await stopProcess(orphan, { graceMs: 10_000, withChildren: true });
  }
  const left = config.regions.filter((r) => postmasterPid(path.join(config.dir, r.node.name, 'data')) !== null).map((r) => r.node.name);
  if (left.length > 0) throw new Error(`database-down: Postgres still running on ${left.join(', ')}`);
}

/**
 * Resolves with when (ms since the drill started) a write first commits through the first
 * region's HAProxy after the restart, or null after `boundMs`. The loop runs in its own process
 * (bash + psql) and stamps the time itself: the drill's event loop is crowded by the load's
 * retries while the database is away, so a probe awaited here would report seconds late.
 * `pg_logical_emit_message(true, …)` writes WAL, so its commit waits for the synchronous standby —
 * what a login's commit needs; psql is cut after 3 s (a commit still waiting is not "back").
 */
function watchDatabaseBack(config: ClusterConfig, login: DatabaseLogin, sinceStart: () => number, boundMs: number): Promise<number | null> {
  const region = config.regions[0];
  if (region === undefined) return Promise.resolve(null);
  const url = `${postgresUrl(config, region, config.database, login)}?connect_timeout=2`;
  const script = `while :; do
  if timeout 3 "$HOLDFAST_PSQL" "$HOLDFAST_PROBE_URL" -qAtX -c "SELECT pg_logical_emit_message(true, 'holdfast.drill', 'database back')" >/dev/null 2>&1; then date +%s%3N; exit 0; fi
  sleep 0.25
done`;
  return new Promise((resolve) => {
    execFile(
      'timeout',
      [String(Math.ceil(boundMs / 1000)), 'bash', '-c', script],
      { env: { PATH: childPath(), LANG: 'C.UTF-8', HOLDFAST_PSQL: path.join(config.pgBinDir, 'psql'), HOLDFAST_PROBE_URL: url } },
      (error, stdout) => {
        const epochMs = Number(stdout.trim());
        if (error !== null || !Number.isFinite(epochMs) || epochMs <= 0) {
          resolve(null);
          return;
        }
        // The child's wall clock → this drill's clock (ms since it started).
        resolve(Math.round(epochMs - (Date.now() - sinceStart())));
      },
    );
  });
}

/**
 * Probes every gateway every 2 s for `forMs` with one relying-app REST call each (no SDK: no
 * retries elsewhere), in a child process of its own: answer times measured here would include the
 * drill's crowded event loop. Resolves with every probe once the last has its answer (a probe
 * gives up after 25 s: twice the gateways' 12 s request deadline — that would be a hang).
 */
const probeScript = `
const gateways = JSON.parse(process.env.HOLDFAST_PROBE_GATEWAYS);
const until = Date.now() + Number(process.env.HOLDFAST_PROBE_FOR_MS);
const results = [];
const pending = [];
async function probe(gateway) {
  const started = Date.now();
  try {
    const response = await fetch(gateway.url + '/v1/verify/status?attemptId=' + crypto.randomUUID(), {
      headers: { authorization: 'Bearer ' + process.env.HOLDFAST_PROBE_KEY },
      signal: AbortSignal.timeout(25000),
    });
    const text = await response.text();
    let code = null;
    try { const body = JSON.parse(text); code = typeof body.holdfastCode === 'string' ? body.holdfastCode : null; } catch {}
    results.push({ gateway: gateway.id, startEpochMs: started, ms: Date.now() - started, status: response.status, code, error: null });
  } catch (error) {
    const message = error && error.name === 'TimeoutError' ? 'no answer within 25 s' : String((error && error.cause && error.cause.code) || (error && error.message) || error);
    results.push({ gateway: gateway.id, startEpochMs: started, ms: Date.now() - started, status: null, code: null, error: message });
  }
}
while (Date.now() < until) {
  for (const gateway of gateways) pending.push(probe(gateway));
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
await Promise.all(pending);
process.stdout.write(JSON.stringify(results));
`;

function probeGateways(options: { gateways: { id: string; url: string }[]; apiKey: string; forMs: number; sinceStart: () => number }): Promise<GatewayProbe[]> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', probeScript],
      {
        env: {
          PATH: childPath(),
          HOLDFAST_PROBE_GATEWAYS: JSON.stringify(options.gateways),
          HOLDFAST_PROBE_KEY: options.apiKey,
          HOLDFAST_PROBE_FOR_MS: String(options.forMs),
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout) => {
        let raw: (Omit<GatewayProbe, 'startMs'> & { startEpochMs: number })[] = [];
        try {
          raw = error === null ? (JSON.parse(stdout) as typeof raw) : [];
        } catch {
          raw = [];
        }
        const epochAtStart = Date.now() - options.sinceStart();
        resolve(raw.map(({ startEpochMs, ...rest }) => ({ ...rest, startMs: Math.round(startEpochMs - epochAtStart) })));
      },
    );
  });
}

export async function runDatabaseDown(options: {
  config: ClusterConfig;
  apiKey: string;
  sinceStart: () => number;
  note: (what: string) => void;
  holdMs?: number;
}): Promise<{ outage: OutageObservations; spoolDrain: Promise<SpoolDrain> }> {
  const { config, sinceStart, note } = options;
  const holdMs = options.holdMs ?? databaseDownHoldMs;
  const gatewayComponents = components(config).filter((c) => c.kind === 'gateway');
  const gateways = gatewayComponents.map((g) => ({ id: g.name, url: regionUrl(g.region, g.port) }));
  const gatewayRecords = (await readState(config.dir)).processes.filter((p) => p.kind === 'gateway');

  const baseline = await Promise.all(gateways.map(async (g) => ({ gateway: g.id, metrics: await fetchSpoolMetrics(g.url) })));
  const stopStartedAtMs = Math.round(sinceStart());
  note(`SIGTERM every Patroni (${config.regions.map((r) => r.node.name).join(', ')}): each stops its Postgres; etcd and HAProxy stay up`);
  await stopEveryDatabaseNode(config);
  const allDownAtMs = Math.round(sinceStart());
  note(`no Postgres node running; holding ${holdMs / 1000} s`);

  // Probe every gateway while nothing runs (until a second before the restart).
  const probing = probeGateways({ gateways, apiKey: options.apiKey, forMs: Math.max(0, holdMs - 1_000), sinceStart });
  await sleep(Math.max(0, allDownAtMs + holdMs - sinceStart() - 1_000));
  // The spools as the outage left them (nothing can replay yet), read just before the database
  // returns: the files synchronously, in one turn of the event loop — with the load's retry storm
  // queued behind every await, an await per file took seconds — and the gauges all at once.
  const gauges = await Promise.all(gatewayComponents.map((g) => fetchSpoolMetrics(regionUrl(g.region, g.port))));
  const spools: GatewaySpoolSnapshot[] = gatewayComponents.map((gateway, i) => ({
    gateway: gateway.name,
    ...readSpoolDir(path.join(config.dir, 'audit-spool', gateway.name)),
    metrics: gauges[i] ?? null,
  }));
  note(`spools read: ${spools.reduce((n, s) => n + s.ids.length, 0)} events in ${spools.reduce((n, s) => n + s.files, 0)} segments`);
  await sleep(Math.max(0, allDownAtMs + holdMs - sinceStart()));

  const migrator = await clusterLogin(config, 'migrator');
  const restartAtMs = Math.round(sinceStart());
  // Each Patroni is spawned before startComponents' first await: all three in this turn.
  const starting = startComponents(
    config,
    components(config).filter((c) => c.kind === 'patroni'),
  );
  const back = watchDatabaseBack(config, migrator, sinceStart, databaseBackBoundMs);
  // The spools empty once the database takes writes: watched from now, so the drain time is not late by the rest of the scenario.
  const drain = watchSpoolDrain(config, sinceStart);
  const started = await starting;
  note(
    `restarted ${started.map((p) => `${p.name} (pid ${p.pid})`).join(', ')} at ${(restartAtMs / 1000).toFixed(1)} s, after ${((restartAtMs - allDownAtMs) / 1000).toFixed(1)} s with no database`,
  );
  const backAtMs = await back;
  note(
    backAtMs === null
      ? `no write committed within ${databaseBackBoundMs / 1000} s of the restart`
      : `database back: a write committed through HAProxy at ${(backAtMs / 1000).toFixed(1)} s`,
  );
  const gatewaysSurvived = gatewayRecords.length === gatewayComponents.length && gatewayRecords.every((p) => checkRecordedProcess(p) === 'ours');
  return {
    outage: { stopStartedAtMs, allDownAtMs, restartAtMs, backAtMs, gatewaysSurvived, baseline, spools, probes: await probing, drain: null },
    spoolDrain: drain,
  };
}

/** Polls every gateway's spool gauge until all read 0 (or the bound passes): the replay is done. */
export async function watchSpoolDrain(config: ClusterConfig, sinceStart: () => number, boundMs = spoolDrainBoundMs): Promise<SpoolDrain> {
  const gateways = components(config).filter((c) => c.kind === 'gateway');
  const deadline = performance.now() + boundMs;
  for (;;) {
    const byGateway = await Promise.all(gateways.map(async (g) => ({ gateway: g.name, metrics: await fetchSpoolMetrics(regionUrl(g.region, g.port)) })));
    if (byGateway.every((g) => g.metrics !== null && g.metrics.events === 0)) return { drainedAtMs: Math.round(sinceStart()), boundMs, byGateway };
    if (performance.now() >= deadline) return { drainedAtMs: null, boundMs, byGateway };
    await sleep(500);
  }
}
