import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bootstrapDatabaseRoles, createDatabase, generateRolePassword, migrateDatabase, type DatabaseRolePasswords } from '@holdfast/db';
import pg from 'pg';
import { databaseUrlsFor, postgresUrl, regionUrl, type ClusterConfig, type DatabaseLogin, type RegionLayout } from './config';
import { etcdEndpoints } from './etcd';
import { etcdArgs, haproxyCfg, patroniDynamicConfig, patroniYaml } from './configs';
import { topologyFilePath, writeTopologyFile } from './topology';
import {
  checkRecordedProcess,
  describeNotOurs,
  isOurs,
  killTree,
  postgresUid,
  postmasterPid,
  readState,
  spawnService,
  stopProcess,
  writeState,
  type ProcessKind,
  type ProcessRecord,
} from './processes';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** What `cluster` needs on the machine and does not have (it never installs anything itself). */
export function missingClusterPrograms(config: ClusterConfig): string[] {
  const missing = ['etcd', 'patroni', 'haproxy'].filter((c) => !hasCommand(c));
  if (!existsSync(path.join(config.pgBinDir, 'postgres'))) missing.push(`${config.pgBinDir}/postgres`);
  return missing;
}

async function httpJson(url: string, timeoutMs = 1000): Promise<{ status: number; body: unknown } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, body };
  } catch {
    return null;
  }
}

/** etcd's health through any member that answers (the first region's may be cut off). */
function etcdHealthUrl(config: ClusterConfig): string {
  const region = config.regions[0];
  if (region === undefined) throw new Error('no regions');
  return `${regionUrl(region, region.etcd.clientPort)}/health`;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(250);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

async function gatewayKeys(config: ClusterConfig): Promise<{ keys: string; activeKeyId: string }> {
  if (existsSync(config.keysFile)) return JSON.parse(await readFile(config.keysFile, 'utf8')) as { keys: string; activeKeyId: string };
  const value = { keys: `c1:${randomBytes(32).toString('base64')}`, activeKeyId: 'c1' };
  await writeFile(config.keysFile, JSON.stringify(value), { mode: 0o600 });
  return value;
}

/** The migrator's and gateway role's passwords, generated on first use and kept in the cluster directory. */
export async function clusterRolePasswords(config: ClusterConfig): Promise<DatabaseRolePasswords> {
  if (existsSync(config.rolesFile)) return JSON.parse(await readFile(config.rolesFile, 'utf8')) as DatabaseRolePasswords;
  const value: DatabaseRolePasswords = { migrator: generateRolePassword(), gateway: generateRolePassword() };
  await writeFile(config.rolesFile, JSON.stringify(value), { mode: 0o600 });
  return value;
}

/** The login for one of the least-privilege roles (issue 8). */
export async function clusterLogin(config: ClusterConfig, role: 'migrator' | 'gateway'): Promise<DatabaseLogin> {
  return { name: config.roles[role], password: (await clusterRolePasswords(config))[role] };
}

/**
 * After the primary is reachable: the superuser creates (or checks) the roles and hands the schema
 * to the migrator, then the migrator applies the migrations and grants the gateway role its rows.
 * Idempotent, so every `cluster up` runs it (a new migration is applied before gateways start).
 */
async function prepareDatabase(config: ClusterConfig, region: RegionLayout): Promise<void> {
  await bootstrapDatabaseRoles({
    adminUrl: postgresUrl(config, region),
    passwords: await clusterRolePasswords(config),
    names: config.roles,
  });
  const migrator = createDatabase({ url: postgresUrl(config, region, config.database, await clusterLogin(config, 'migrator')), poolMax: 1 });
  try {
    await migrateDatabase({ pool: migrator.pool, gatewayRole: config.roles.gateway });
  } finally {
    await migrator.close();
  }
}

/** The cluster's gateways give up on the database after this long (a cut-off gateway answers 503 by then). */
export const clusterGatewayDeadlineMs = 12_000;

export interface Component {
  kind: ProcessKind;
  name: string;
  region: RegionLayout;
  port: number;
}

/** The region's etcd-leader keeper (bin/etcd-placement.ts). */
export function placementName(region: RegionLayout): string {
  return `etcd-placement-${region.name}`;
}

export function components(config: ClusterConfig): Component[] {
  return config.regions.flatMap((region) => [
    { kind: 'etcd' as const, name: region.etcd.name, region, port: region.etcd.clientPort },
    { kind: 'patroni' as const, name: region.node.name, region, port: region.node.pgPort },
    { kind: 'haproxy' as const, name: `haproxy-${region.name}`, region, port: region.haproxy.port },
    { kind: 'placement' as const, name: placementName(region), region, port: 0 },
    ...region.gateways.map((g) => ({ kind: 'gateway' as const, name: g.id, region, port: g.port })),
  ]);
}

export async function startComponent(config: ClusterConfig, component: Component): Promise<ProcessRecord> {
  const { region } = component;
  const logDir = path.join(config.dir, 'logs');
  // Synchronous up to the spawn (a Postgres node's files are tiny): a drill restarting nodes while
  // its load keeps the event loop busy gets them started in the same turn, not seconds apart.
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${component.name}.log`);
  let started: { pid: number; startTime: number | null };
  switch (component.kind) {
    case 'etcd': {
      const dataDir = path.join(config.dir, component.name);
      started = spawnService({ command: 'etcd', args: etcdArgs(config, region, dataDir), logFile, namespace: region.namespace });
      break;
    }
    case 'patroni': {
      const nodeDir = path.join(config.dir, component.name);
      mkdirSync(nodeDir, { recursive: true });
      const { uid, gid } = postgresUid();
      chownSync(nodeDir, uid, gid);
      chmodSync(nodeDir, 0o700);
      const yml = path.join(nodeDir, 'patroni.yml');
      writeFileSync(yml, patroniYaml(config, region, nodeDir));
      chownSync(yml, uid, gid);
      // A crashed node can leave its postmaster behind (Patroni died first): stop it before Patroni starts.
      const orphan = postmasterPid(path.join(nodeDir, 'data'));
      if (orphan !== null) await killTree(orphan);
      started = spawnService({ command: 'patroni', args: [yml], logFile, asPostgres: true, env: { HOME: nodeDir }, namespace: region.namespace });
      break;
    }
    case 'haproxy': {
      const cfg = path.join(config.dir, `haproxy-${region.name}.cfg`);
      await writeFile(cfg, haproxyCfg(config, region));
      started = spawnService({ command: 'haproxy', args: ['-f', cfg, '-db'], logFile, namespace: region.namespace });
      break;
    }
    case 'placement': {
      // One node process (tsx as a loader, not its CLI, which would put a second process between).
      const tsx = pathToFileURL(path.join(config.repoRoot, 'node_modules/tsx/dist/esm/index.mjs')).href;
      started = spawnService({
        command: process.execPath,
        args: [
          '--import',
          tsx,
          path.join(config.repoRoot, 'apps/cluster/src/bin/etcd-placement.ts'),
          region.name,
          regionUrl(region, region.node.restPort),
          ...etcdEndpoints(config).map((e) => `${e.name}=${e.url}`),
        ],
        cwd: path.join(config.repoRoot, 'apps/cluster'),
        logFile,
        namespace: region.namespace,
      });
      break;
    }
    case 'gateway': {
      const keys = await gatewayKeys(config);
      started = spawnService({
        command: process.execPath,
        args: ['--enable-source-maps', 'dist/main.js'], // built by `npm run build` (npm test builds it too)
        cwd: path.join(config.repoRoot, 'apps/gateway'),
        logFile,
        namespace: region.namespace,
        env: {
          HOLDFAST_HOST: region.host,
          // Least privilege (issue 8): the gateway role; migrations ran as the migrator in clusterUp.
          DATABASE_URL: databaseUrlsFor(config, region.name, await clusterLogin(config, 'gateway')),
          HOLDFAST_MIGRATE: 'false',
          HOLDFAST_PORT: String(component.port),
          HOLDFAST_GATEWAY_ID: component.name,
          HOLDFAST_REGION: region.name,
          HOLDFAST_ENCRYPTION_KEYS: keys.keys,
          HOLDFAST_ACTIVE_KEY_ID: keys.activeKeyId,
          HOLDFAST_CANARY_INTERVAL_MS: '2000',
          HOLDFAST_REQUEST_DEADLINE_MS: String(clusterGatewayDeadlineMs),
          HOLDFAST_DB_POOL_MAX: '20',
          HOLDFAST_GATEWAY_WORKERS: String(config.gatewayWorkers),
          // The last audit checkpoint this gateway verified lives with the cluster it belongs to, so a
          // new cluster (new database, new audit key) is not taken for a rewritten history.
          HOLDFAST_AUDIT_STATE_DIR: path.join(config.dir, 'audit-state', component.name),
          HOLDFAST_AUDIT_SPOOL_DIR: path.join(config.dir, 'audit-spool', component.name),
          // The live failover map's sources (issue 13), written by clusterUp before any gateway starts.
          HOLDFAST_TOPOLOGY_FILE: topologyFilePath(config),
        },
      });
      break;
    }
  }
  return { name: component.name, kind: component.kind, region: region.name, pid: started.pid, startTime: started.startTime, port: component.port, logFile };
}

/**
 * Brings the cluster up, or back to full strength: every component that is not running is
 * started (so it also heals after a drill). Waits until etcd has quorum, Patroni has a leader with
 * a synchronous standby, each HAProxy reaches the primary and every gateway is ready.
 */
export async function clusterUp(config: ClusterConfig, log: (line: string) => void): Promise<void> {
  const missing = missingClusterPrograms(config);
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}. Install them with \`npm run cluster:install\` (as root; Debian packages)`);
  await mkdir(config.dir, { recursive: true, mode: 0o711 });
  chmodSync(config.dir, 0o711); // the postgres user must reach its node directories
  await writeTopologyFile(config);
  const state = await readState(config.dir);
  for (const p of state.processes)
    if (checkRecordedProcess(p) === 'not-ours') log(`${p.name}: pid ${p.pid} now names another process (start time differs); starting a new one`);
  const running = new Map(state.processes.filter((p) => isOurs(p)).map((p) => [p.name, p]));
  const all = components(config);
  const startKind = async (kind: ProcessKind): Promise<void> => {
    for (const component of all.filter((c) => c.kind === kind && !running.has(c.name))) {
      const record = await startComponent(config, component);
      running.set(record.name, record);
      log(`started ${component.name} (pid ${record.pid})`);
    }
    await writeState(config.dir, { processes: [...running.values()] });
  };

  await startKind('etcd');
  await waitFor('etcd quorum', async () => (await httpJson(etcdHealthUrl(config)))?.status === 200, 30_000);
  await startKind('patroni');
  await waitFor(
    'a Patroni leader with a synchronous standby',
    async () => (await clusterMembers(config)).some((m) => m.role === 'sync_standby' && (m.state === 'streaming' || m.state === 'running')),
    90_000,
  );
  // bootstrap.dcs applies only when the cluster is first created: keep the live timings and slot
  // settings in line with the configuration on every start (Patroni's dynamic configuration, like
  // `patronictl edit-config`).
  await applyPatroniDynamicConfig(config);
  await startKind('haproxy');
  await startKind('placement');
  const firstRegion = config.regions[0];
  if (firstRegion === undefined) throw new Error('no regions');
  // A freshly started HAProxy counts every server up until its checks say otherwise (~1–2 s), so it
  // can route to a replica (25006) or cut the session when it marks that server down (an
  // unhandled 'error' in the roles bootstrap: seen when a drill healed a killed region). Go on
  // only once every connection for 2.5 s has reached the primary.
  let primarySince: number | null = null;
  await waitFor(
    'the primary through HAProxy',
    async () => {
      const client = new pg.Client({ connectionString: postgresUrl(config, firstRegion, 'postgres'), connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const recovery = await client.query<{ is_replica: boolean }>('SELECT pg_is_in_recovery() AS is_replica');
        if (recovery.rows[0]?.is_replica !== false) {
          primarySince = null;
          return false;
        }
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [config.database]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${config.database}`);
        primarySince ??= Date.now();
        return Date.now() - primarySince >= 2_500;
      } catch {
        primarySince = null;
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    60_000,
  );
  await prepareDatabase(config, firstRegion);
  await startKind('gateway');
  await waitFor(
    'every gateway ready (canary login succeeded)',
    async () => {
      const checks = await Promise.all(all.filter((c) => c.kind === 'gateway').map((g) => httpJson(`${regionUrl(g.region, g.port)}/readyz`)));
      return checks.every((c) => c?.status === 200);
    },
    90_000,
  );
  log('cluster ready');
}

/** What a healthy cluster looks like before a drill run (issue 14: every run of a series starts from the same place). */
export interface ClusterHealth {
  leader: string | null;
  syncStandby: string | null;
  /** Members Patroni reports running (the leader included). */
  running: number;
  gatewaysReady: number;
  gateways: number;
}

export function isHealthy(health: ClusterHealth, options: { members: number; requireAllMembers: boolean }): boolean {
  return (
    health.leader !== null &&
    health.syncStandby !== null &&
    health.gatewaysReady === health.gateways &&
    (!options.requireAllMembers || health.running >= options.members)
  );
}

export async function clusterHealth(config: ClusterConfig): Promise<ClusterHealth> {
  const members = await clusterMembers(config);
  const isUp = (m: ClusterMember): boolean => m.state === 'running' || m.state === 'streaming';
  const gateways = components(config).filter((c) => c.kind === 'gateway');
  const ready = await Promise.all(gateways.map((g) => httpJson(`${regionUrl(g.region, g.port)}/readyz`)));
  return {
    leader: members.find((m) => m.role === 'leader' && isUp(m))?.name ?? null,
    syncStandby: members.find((m) => m.role === 'sync_standby' && isUp(m))?.name ?? null,
    running: members.filter(isUp).length,
    gatewaysReady: ready.filter((r) => r?.status === 200).length,
    gateways: gateways.length,
  };
}

/**
 * Waits until Patroni has a leader and a synchronous standby and every gateway is ready — and,
 * for up to `allMembersMs`, until every member runs again (a killed node rewinds and rejoins a few
 * seconds after the heal; a run that starts before it would fail over with one replica fewer).
 * Throws when even the first part is not reached in `timeoutMs`.
 */
export async function waitUntilHealthy(
  config: ClusterConfig,
  options: { timeoutMs?: number; allMembersMs?: number } = {},
): Promise<{ health: ClusterHealth; waitedMs: number }> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const allMembersMs = options.allMembersMs ?? 60_000;
  let health = await clusterHealth(config);
  for (;;) {
    const waited = Date.now() - started;
    const requireAllMembers = waited < allMembersMs;
    if (isHealthy(health, { members: config.regions.length, requireAllMembers })) return { health, waitedMs: waited };
    if (waited >= timeoutMs) {
      throw new Error(
        `cluster not healthy after ${timeoutMs / 1000} s: leader ${health.leader ?? 'none'}, sync standby ${health.syncStandby ?? 'none'}, ${health.running}/${config.regions.length} members running, ${health.gatewaysReady}/${health.gateways} gateways ready`,
      );
    }
    await sleep(500);
    health = await clusterHealth(config);
  }
}

export interface ClusterMember {
  name: string;
  role: string;
  state: string;
  lag: number | null;
  /** The member's Postgres timeline: each promotion starts a new one (a failover count for partition drills). */
  timeline: number | null;
}

/** Patroni's view of the members, asked of whichever node answers. */
export async function clusterMembers(config: ClusterConfig): Promise<ClusterMember[]> {
  for (const region of config.regions) {
    const response = await httpJson(`${regionUrl(region, region.node.restPort)}/cluster`);
    const members = (response?.body as { members?: { name: string; role: string; state: string; lag?: number | string; timeline?: number }[] } | undefined)
      ?.members;
    if (members !== undefined) {
      return members.map((m) => ({
        name: m.name,
        role: m.role,
        state: m.state,
        lag: typeof m.lag === 'number' ? m.lag : null,
        timeline: typeof m.timeline === 'number' ? m.timeline : null,
      }));
    }
  }
  return [];
}

/** The graceful order from the shared notes: gateways, replicas, sync standby, leader, HAProxy, etcd. */
export async function clusterDown(config: ClusterConfig, log: (line: string) => void): Promise<void> {
  const state = await readState(config.dir);
  const members = await clusterMembers(config);
  const roleRank = (name: string): number => {
    const role = members.find((m) => m.name === name)?.role;
    return role === 'leader' ? 2 : role === 'sync_standby' ? 1 : 0;
  };
  const byKind = (kind: ProcessKind) => state.processes.filter((p) => p.kind === kind);
  const stop = async (records: ProcessRecord[], graceMs: number, withChildren = false): Promise<void> => {
    await Promise.all(
      records.map(async (p) => {
        const check = checkRecordedProcess(p);
        if (check === 'not-ours') {
          log(describeNotOurs(p));
          return;
        }
        if (check === 'ours') await stopProcess(p.pid, { graceMs, withChildren });
        log(`stopped ${p.name}`);
      }),
    );
  };
  await stop(byKind('gateway'), 5_000);
  await stop(byKind('placement'), 2_000);
  for (const node of byKind('patroni').sort((a, b) => roleRank(a.name) - roleRank(b.name))) {
    await stop([node], 20_000, true);
    const orphan = postmasterPid(path.join(config.dir, node.name, 'data'));
    if (orphan !== null) await stopProcess(orphan, { graceMs: 5_000, withChildren: true });
  }
  await stop(byKind('haproxy'), 2_000);
  // etcd followers can hang on SIGTERM once quorum is gone; etcd is crash-safe, so 2 s then SIGKILL.
  await stop(byKind('etcd'), 2_000);
  await writeState(config.dir, { processes: [] });
  log('cluster stopped');
}

/** What `cluster:status` prints: per region, the Patroni role and lag, HAProxy, and each gateway's readiness and canary latency. */
export async function clusterStatus(config: ClusterConfig): Promise<string> {
  const state = await readState(config.dir);
  const members = await clusterMembers(config);
  const alive = (name: string): boolean => state.processes.some((p) => p.name === name && isOurs(p));
  const lines: string[] = [];
  for (const region of config.regions) {
    const member = members.find((m) => m.name === region.node.name);
    const etcd = alive(region.etcd.name) ? 'up' : 'DOWN';
    const haproxy = alive(`haproxy-${region.name}`) ? 'up' : 'DOWN';
    const placement = alive(placementName(region)) ? 'up' : 'DOWN';
    const role =
      member === undefined
        ? alive(region.node.name)
          ? 'starting'
          : 'DOWN'
        : `${member.role} (${member.state}${member.lag === null ? '' : `, lag ${member.lag} B`})`;
    lines.push(
      `${region.name}: postgres ${region.node.name} :${region.node.pgPort} ${role} · etcd ${etcd} · haproxy :${region.haproxy.port} ${haproxy} · etcd-placement ${placement}`,
    );
    for (const gateway of region.gateways) {
      const ready = await httpJson(`${regionUrl(region, gateway.port)}/readyz`);
      const body = ready?.body as { ready?: boolean; canary?: { latencyMs?: number; ageMs?: number; error?: string | null } | null } | undefined;
      const text =
        ready === null
          ? 'DOWN'
          : body?.ready === true
            ? `ready, canary ${body.canary?.latencyMs ?? '?'} ms (${Math.round((body.canary?.ageMs ?? 0) / 100) / 10} s ago)`
            : `NOT ready${body?.canary?.error != null ? ` (${body.canary.error})` : ''}`;
      lines.push(`  gateway ${gateway.id} ${regionUrl(region, gateway.port)}: ${text}`);
    }
  }
  return lines.join('\n');
}

/**
 * Starts the given components — which the caller knows are not running — adds them to state.json
 * and returns their records: for a drill that stopped parts on purpose and brings them back
 * itself. A Patroni node is spawned before the first await, so all of them start together (as
 * after a power cut), whatever else the process is busy with.
 */
export async function startComponents(config: ClusterConfig, wanted: Component[]): Promise<ProcessRecord[]> {
  const started = await Promise.all(wanted.map((component) => startComponent(config, component)));
  const names = new Set(started.map((p) => p.name));
  const state = await readState(config.dir);
  await writeState(config.dir, { processes: [...state.processes.filter((p) => !names.has(p.name) && isOurs(p)), ...started] });
  return started;
}

/** Starts one gateway again, records it, and waits until its canary login succeeds. */
export async function restartGateway(config: ClusterConfig, component: Component): Promise<void> {
  const record = await startComponent(config, component);
  const state = await readState(config.dir);
  await writeState(config.dir, { processes: [...state.processes.filter((p) => p.name !== record.name && isOurs(p)), record] });
  await waitFor(`${component.name} ready`, async () => (await httpJson(`${regionUrl(component.region, component.port)}/readyz`))?.status === 200, 60_000);
}

async function applyPatroniDynamicConfig(config: ClusterConfig): Promise<void> {
  const body = JSON.stringify(patroniDynamicConfig(config));
  for (const region of config.regions) {
    try {
      const response = await fetch(`${regionUrl(region, region.node.restPort)}/config`, { method: 'PATCH', body, signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // that node is down: ask the next
    }
  }
  throw new Error("could not apply Patroni's dynamic configuration through any node");
}
