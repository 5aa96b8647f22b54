// What each drill does to the cluster while the load runs.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { clusterGatewayDeadlineMs, clusterMembers, components, placementName, type Component } from '../cluster';
import type { ClusterConfig, RegionLayout } from '../config';
import { etcdLeaderRegion } from '../etcd';
import { isOurs, killTree, postmasterPid, readState, stopProcess, writeState, type ProcessRecord } from '../processes';
import { runDatabaseDown, type OutageObservations, type SpoolDrain } from './database-down';
import { partitionScenarios, runPartition, type PartitionSection } from './partition';
import { rollingRestart } from '../rolling-restart';
import { startSoakWatch, type SoakWatch } from './soak';

export const scenarios = [
  'region-down',
  'primary-kill',
  'database-down',
  ...partitionScenarios,
  'etcd-member-kill',
  'gateway-rolling-restart',
  'switchover',
  'rolling-restart',
  'soak',
] as const;
export type Scenario = (typeof scenarios)[number];

const run = promisify(execFile);

export async function leaderRegion(config: ClusterConfig): Promise<RegionLayout> {
  // A few tries: the drill asks at the load's start, when its own event loop is busiest and one
  // 1-s REST call can time out (a soak once died here with the leader in plain sight).
  for (let attempt = 1; ; attempt += 1) {
    const leader = (await clusterMembers(config)).find((m) => m.role === 'leader');
    const region = config.regions.find((r) => r.node.name === leader?.name);
    if (region !== undefined) return region;
    if (attempt >= 5) throw new Error('no Patroni leader right now');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The recorded process by name, if it is alive and still the one we started (never signal a reused PID). */
async function record(config: ClusterConfig, name: string): Promise<ProcessRecord | undefined> {
  return (await readState(config.dir)).processes.find((p) => p.name === name && isOurs(p));
}

/** kill -9 a Patroni node: Patroni, its postmaster and every backend (a machine dying). */
async function killNode(config: ClusterConfig, region: RegionLayout): Promise<void> {
  const patroni = await record(config, region.node.name);
  const postmaster = postmasterPid(path.join(config.dir, region.node.name, 'data'));
  await Promise.all([patroni === undefined ? null : killTree(patroni.pid), postmaster === null ? null : killTree(postmaster)]);
}

async function killByName(config: ClusterConfig, name: string): Promise<void> {
  const p = await record(config, name);
  if (p !== undefined) await killTree(p.pid);
}

export interface ScenarioRun {
  /** What was done, for the report. */
  description: string;
  /** Actions with timestamps (ms since the drill started). */
  events: { atMs: number; what: string }[];
  /** database-down only: what the outage looked like from outside (probes, spools, timings). */
  outage?: OutageObservations;
  /** database-down only: resolves when every gateway's spool is empty again (or its bound passed). */
  spoolDrain?: Promise<SpoolDrain>;
  /** primary-kill / region-down: the Patroni node killed and when SIGKILL was sent (the live map check measures from it). */
  killed?: { node: string; region: string; atMs: number };
  /** partition-*: what the cut did (issue 14). */
  partition?: PartitionSection;
  /** soak: the leader watch, judged by run-drill once the load has ended (issue 14). */
  soak?: SoakWatch;
}

/** The region a scenario acts on when none is named: the sync standby's for a replica partition, else the leader's. */
async function defaultRegion(config: ClusterConfig, scenario: Scenario): Promise<RegionLayout> {
  if (scenario !== 'partition-replica-region') return leaderRegion(config);
  const standby = (await clusterMembers(config)).find((m) => m.role === 'sync_standby');
  const region = config.regions.find((r) => r.node.name === standby?.name);
  if (region === undefined) throw new Error('no synchronous standby right now');
  return region;
}

/**
 * Runs the scenario's disruption. `restartGateway` starts a gateway again and waits until it is
 * ready (for the planned rolling restart); unplanned kills are healed after the load, by `cluster up`.
 */
export async function runScenario(options: {
  scenario: Scenario;
  config: ClusterConfig;
  targetRegion: string | null;
  sinceStart: () => number;
  restartGateway: (component: Component) => Promise<void>;
  /** The drill application's API key (database-down and the partition probe use it). */
  apiKey: string;
  /** A seeded user the load never uses: a client inside a cut-off region verifies as it. */
  strandedUserId: string;
  /** How long a partition lasts (partition-primary-region, partition-replica-region). */
  partitionHoldMs: number;
}): Promise<ScenarioRun> {
  const { config } = options;
  const events: { atMs: number; what: string }[] = [];
  const note = (what: string): void => {
    events.push({ atMs: Math.round(options.sinceStart()), what });
  };
  const region = options.targetRegion === null ? await defaultRegion(config, options.scenario) : config.regions.find((r) => r.name === options.targetRegion);
  if (region === undefined) throw new Error(`unknown region ${options.targetRegion ?? ''}`);
  switch (options.scenario) {
    case 'region-down': {
      // Said in the report: a region holding etcd's leader too waits for an etcd election first,
      // which renews every lease (see etcd.ts) — the slow tail of region-down.
      const etcdLeader = (await etcdLeaderRegion(config))?.name ?? 'unknown';
      const killed = { node: region.node.name, region: region.name, atMs: Math.round(options.sinceStart()) };
      note(`SIGKILL ${region.name}: ${region.node.name}, ${region.etcd.name}, haproxy, etcd-placement, ${region.gateways.map((g) => g.id).join(', ')}`);
      await Promise.all([
        killNode(config, region),
        killByName(config, region.etcd.name),
        killByName(config, `haproxy-${region.name}`),
        killByName(config, placementName(region)),
        ...region.gateways.map((g) => killByName(config, g.id)),
      ]);
      note('region killed');
      const withEtcd = etcdLeader === region.name ? 'etcd leader too' : `etcd leader in ${etcdLeader}`;
      return { description: `whole region ${region.name} (the primary's; ${withEtcd}) killed with SIGKILL`, events, killed };
    }
    case 'primary-kill': {
      const killed = { node: region.node.name, region: region.name, atMs: Math.round(options.sinceStart()) };
      note(`SIGKILL primary ${region.node.name} (Patroni, postmaster, backends)`);
      await killNode(config, region);
      note('primary killed');
      return { description: `primary ${region.node.name} killed with SIGKILL`, events, killed };
    }
    case 'database-down': {
      // Every node, not the leader's region: `region` only names where the leader was.
      const { outage, spoolDrain } = await runDatabaseDown({ config, apiKey: options.apiKey, sinceStart: options.sinceStart, note });
      return {
        description: `every Postgres node stopped (all three Patronis, SIGTERM; leader was ${region.node.name}) for ${((outage.restartAtMs - outage.allDownAtMs) / 1000).toFixed(1)} s, then restarted`,
        events,
        outage,
        spoolDrain,
      };
    }
    case 'partition-primary-region':
    case 'partition-replica-region':
    case 'partition-flapping': {
      const partition = await runPartition({
        scenario: options.scenario,
        config,
        region,
        apiKey: options.apiKey,
        strandedUserId: options.strandedUserId,
        gatewayDeadlineMs: clusterGatewayDeadlineMs,
        holdMs: options.partitionHoldMs,
        flap: { downMs: 2_000, upMs: 3_000, forMs: 60_000 },
        sinceStart: options.sinceStart,
        note,
      });
      const what = options.scenario === 'partition-flapping' ? `link down 2 s, up 3 s, for 60 s` : `cut off for ${options.partitionHoldMs / 1000} s`;
      return {
        description: `${region.name} (${region.node.name}, ${partition.leaderBefore === region.node.name ? 'the primary' : 'a replica'}) ${what}, then healed`,
        events,
        partition,
      };
    }
    case 'etcd-member-kill': {
      note(`SIGKILL ${region.etcd.name}`);
      await killByName(config, region.etcd.name);
      return { description: `etcd member ${region.etcd.name} (the primary's region) killed with SIGKILL`, events };
    }
    case 'gateway-rolling-restart': {
      for (const gateway of components(config).filter((c) => c.kind === 'gateway')) {
        const p = await record(config, gateway.name);
        note(`SIGTERM ${gateway.name}`);
        if (p !== undefined) await stopProcess(p.pid, { graceMs: 10_000 });
        await options.restartGateway(gateway);
        note(`${gateway.name} ready again`);
      }
      return { description: 'every gateway stopped (SIGTERM) and restarted, one at a time', events };
    }
    case 'switchover': {
      const members = await clusterMembers(config);
      const leader = members.find((m) => m.role === 'leader');
      const candidate = members.find((m) => m.role === 'sync_standby');
      if (leader === undefined || candidate === undefined) throw new Error('switchover needs a leader and a sync standby');
      note(`patronictl switchover ${leader.name} → ${candidate.name}`);
      const yml = path.join(config.dir, region.node.name, 'patroni.yml');
      await run('patronictl', ['-c', yml, 'switchover', '--leader', leader.name, '--candidate', candidate.name, '--force']);
      note('switchover done');
      return { description: `planned switchover ${leader.name} → ${candidate.name}`, events };
    }
    case 'rolling-restart': {
      const result = await rollingRestart(config, note);
      return {
        description: `rolling restart (replicas, switchover ${result.leaderBefore} → ${result.leaderAfter ?? '?'}, old leader, gateways one by one) in ${(result.tookMs / 1000).toFixed(1)} s`,
        events,
      };
    }
    case 'soak':
      return { description: 'soak: steady load, nothing disrupted', events, soak: await startSoakWatch(config, note, options.sinceStart) };
  }
}

export async function forgetDead(config: ClusterConfig): Promise<void> {
  const state = await readState(config.dir);
  await writeState(config.dir, { processes: state.processes.filter((p) => isOurs(p)) });
}
