// Maintenance without downtime (issue 14): every process of the cluster restarted, one at a time,
// while logins go on. Postgres nodes first — the replicas (async before the synchronous standby),
// then a planned switchover to the synchronous standby, then the old leader as the replica it has
// become — then the gateways one by one. Each Patroni is stopped with SIGTERM: Patroni's own
// shutdown tags a synchronous standby `nosync` and waits for the leader to pick the other replica
// before it stops Postgres, so under strict synchronous mode commits never wait for a node that
// is going away. Each step waits until the node streams again on the leader's timeline and a
// synchronous standby exists, so at most one node is ever missing.
import path from 'node:path';
import {
  clusterHealth,
  clusterMembers,
  components,
  isHealthy,
  restartGateway,
  startComponents,
  waitUntilHealthy,
  type ClusterMember,
  type Component,
} from './cluster';
import { regionUrl, type ClusterConfig } from './config';
import { isOurs, postmasterPid, readState, stopProcess } from './processes';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type RollingRestartStep =
  | { action: 'restart-member'; name: string; role: 'replica' | 'sync_standby' | 'old leader' }
  | { action: 'switchover'; from: string }
  | { action: 'restart-gateway'; name: string };

/**
 * The order of a rolling restart, from the members as they are now: async replicas, then the
 * synchronous standby (while it is away the async one takes its role, so it goes last of the
 * replicas: the other one is already back and streaming), then a switchover away from the leader
 * (to whoever is the synchronous standby at that moment: the only candidate that has every
 * acknowledged commit), then the old leader, then every gateway.
 */
export function planRollingRestart(members: readonly Pick<ClusterMember, 'name' | 'role'>[], gateways: readonly string[]): RollingRestartStep[] {
  const leader = members.find((m) => m.role === 'leader');
  if (leader === undefined) throw new Error('a rolling restart needs a Patroni leader');
  if (!members.some((m) => m.role === 'sync_standby')) throw new Error('a rolling restart needs a synchronous standby');
  const replicas = members
    .filter((m) => m.name !== leader.name)
    .sort((a, b) => Number(a.role === 'sync_standby') - Number(b.role === 'sync_standby') || a.name.localeCompare(b.name));
  return [
    ...replicas.map((m): RollingRestartStep => ({ action: 'restart-member', name: m.name, role: m.role === 'sync_standby' ? 'sync_standby' : 'replica' })),
    { action: 'switchover', from: leader.name },
    { action: 'restart-member', name: leader.name, role: 'old leader' },
    ...gateways.map((name): RollingRestartStep => ({ action: 'restart-gateway', name })),
  ];
}

/** What Patroni's leader says about one replica's walsender (`GET /patroni` → `replication`). */
export interface ReplicationEntry {
  application_name: string;
  state: string;
  sync_state: string;
}

/**
 * A restarted member is back when Patroni runs it on the leader's timeline, the leader's
 * walsender to it streams, and the cluster has a synchronous standby again (strict synchronous
 * mode: without one, every commit waits).
 */
export function isBackStreaming(members: readonly ClusterMember[], replication: readonly ReplicationEntry[], name: string): boolean {
  const leader = members.find((m) => m.role === 'leader');
  const member = members.find((m) => m.name === name);
  if (leader === undefined || member === undefined || member.role === 'leader') return false;
  return (
    (member.state === 'running' || member.state === 'streaming') &&
    member.timeline !== null &&
    member.timeline === leader.timeline &&
    replication.some((r) => r.application_name === name && r.state === 'streaming') &&
    members.some((m) => m.role === 'sync_standby' && (m.state === 'running' || m.state === 'streaming'))
  );
}

/**
 * Patroni's members with a leader among them. Its REST API answers within 1 s or not at all, and a
 * starved Patroni (a busy 2-core machine: "Loop time exceeded") can miss that: ask again for a while.
 */
async function membersWithLeader(config: ClusterConfig, timeoutMs = 15_000): Promise<ClusterMember[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const members = await clusterMembers(config);
    if (members.some((m) => m.role === 'leader') || Date.now() >= deadline) return members;
    await sleep(500);
  }
}

async function leaderReplication(config: ClusterConfig, members: readonly ClusterMember[]): Promise<ReplicationEntry[]> {
  const leader = members.find((m) => m.role === 'leader');
  const region = config.regions.find((r) => r.node.name === leader?.name);
  if (region === undefined) return [];
  try {
    const response = await fetch(`${regionUrl(region, region.node.restPort)}/patroni`, { signal: AbortSignal.timeout(1_000) });
    const body = (await response.json()) as { replication?: ReplicationEntry[] };
    return body.replication ?? [];
  } catch {
    return [];
  }
}

async function waitUntilBack(config: ClusterConfig, name: string, timeoutMs: number): Promise<ClusterMember[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const members = await clusterMembers(config);
    if (isBackStreaming(members, await leaderReplication(config, members), name)) return members;
    await sleep(250);
  }
  throw new Error(`${name} was not streaming on the leader's timeline ${timeoutMs / 1000} s after its restart`);
}

function component(config: ClusterConfig, kind: 'patroni' | 'gateway', name: string): Component {
  const found = components(config).find((c) => c.kind === kind && c.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in this cluster`);
  return found;
}

async function recorded(config: ClusterConfig, name: string): Promise<number | null> {
  return (await readState(config.dir)).processes.find((p) => p.name === name && isOurs(p))?.pid ?? null;
}

/** SIGTERM one Patroni (it stops its Postgres, fast mode), start it again, wait until it streams. */
async function restartMember(config: ClusterConfig, name: string, note: (what: string) => void): Promise<void> {
  const node = component(config, 'patroni', name);
  const pid = await recorded(config, name);
  note(`SIGTERM Patroni ${name}`);
  // A primary's or standby's shutdown checkpoint is small here; 30 s before SIGKILL is only a backstop.
  if (pid !== null) await stopProcess(pid, { graceMs: 30_000, withChildren: true });
  const orphan = postmasterPid(path.join(config.dir, name, 'data'));
  if (orphan !== null) await stopProcess(orphan, { graceMs: 10_000, withChildren: true });
  note(`${name} stopped; starting it again`);
  await startComponents(config, [node]);
  const members = await waitUntilBack(config, name, 120_000);
  const timeline = members.find((m) => m.name === name)?.timeline;
  const sync = members.find((m) => m.role === 'sync_standby')?.name ?? '?';
  note(`${name} streaming again on timeline ${String(timeline)} (sync standby ${sync})`);
}

/** A planned switchover through the leader's Patroni REST API, to the synchronous standby of the moment. */
async function switchover(config: ClusterConfig, from: string, note: (what: string) => void): Promise<string> {
  const members = await membersWithLeader(config);
  const leader = members.find((m) => m.role === 'leader');
  const candidate = members.find((m) => m.role === 'sync_standby' && (m.state === 'running' || m.state === 'streaming'));
  if (leader?.name !== from) throw new Error(`switchover: the leader is ${leader?.name ?? 'nobody'}, not ${from}`);
  if (candidate === undefined) throw new Error('switchover: no synchronous standby to hand over to');
  const region = config.regions.find((r) => r.node.name === from);
  if (region === undefined) throw new Error(`no region runs ${from}`);
  note(`switchover ${from} → ${candidate.name} (Patroni REST)`);
  const response = await fetch(`${regionUrl(region, region.node.restPort)}/switchover`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ leader: from, candidate: candidate.name }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`switchover refused (${response.status}): ${text.trim()}`);
  // The old leader rejoins as a replica (a fast shutdown leaves nothing to rewind); restart it only once it streams.
  const after = await waitUntilBack(config, from, 120_000);
  note(`switchover done: leader ${after.find((m) => m.role === 'leader')?.name ?? '?'}, ${from} streaming as a replica`);
  return candidate.name;
}

export interface RollingRestartResult {
  steps: RollingRestartStep[];
  leaderBefore: string;
  leaderAfter: string | null;
  tookMs: number;
}

/**
 * Restarts every Patroni node and every gateway of a healthy cluster, one at a time, without
 * downtime (see the top of this file). Refuses to start on a degraded cluster: a restart there
 * would take away the last redundant node.
 */
export async function rollingRestart(config: ClusterConfig, note: (what: string) => void): Promise<RollingRestartResult> {
  const started = Date.now();
  // Every member, its synchronous standby and every gateway first (a drill may start it right after a heal).
  await waitUntilHealthy(config, { timeoutMs: 60_000, allMembersMs: 60_000 });
  const health = await clusterHealth(config);
  if (!isHealthy(health, { members: config.regions.length, requireAllMembers: true })) {
    throw new Error(
      `rolling restart needs a whole cluster: leader ${health.leader ?? 'none'}, sync standby ${health.syncStandby ?? 'none'}, ${health.running}/${config.regions.length} members, ${health.gatewaysReady}/${health.gateways} gateways ready`,
    );
  }
  const members = await membersWithLeader(config);
  const steps = planRollingRestart(
    members,
    components(config)
      .filter((c) => c.kind === 'gateway')
      .map((c) => c.name),
  );
  note(`rolling restart: ${steps.map((s) => (s.action === 'switchover' ? `switchover from ${s.from}` : s.name)).join(' → ')}`);
  for (const step of steps) {
    switch (step.action) {
      case 'restart-member':
        await restartMember(config, step.name, note);
        break;
      case 'switchover':
        await switchover(config, step.from, note);
        break;
      case 'restart-gateway': {
        const gateway = component(config, 'gateway', step.name);
        const pid = await recorded(config, step.name);
        note(`SIGTERM ${step.name}`);
        // The gateway drains (in-flight requests answer); the SDK sends new ones to the others.
        if (pid !== null) await stopProcess(pid, { graceMs: 10_000 });
        await restartGateway(config, gateway);
        note(`${step.name} ready again`);
        break;
      }
    }
  }
  const after = await membersWithLeader(config);
  return {
    steps,
    leaderBefore: members.find((m) => m.role === 'leader')?.name ?? '?',
    leaderAfter: after.find((m) => m.role === 'leader')?.name ?? null,
    tookMs: Date.now() - started,
  };
}
