// Cluster-mode check of the live failover map (issue 13) — not in CI: needs `npm run cluster`.
//   npm run cluster && npx tsx apps/gateway/test/admin.overview.cluster-check.ts [cluster dir] && npm run cluster
// Starts a collector on the topology file the cluster wrote (the one its gateways read), kills
// the Patroni leader (SIGKILL to Patroni and its postmaster, by the PIDs the cluster recorded),
// and reports when the map showed the old leader down and the new one leading — against when
// Patroni itself switched timelines (/history). The last `npm run cluster` restarts the node.
import { createOverviewCollector, readOverviewTopologyFile } from '@holdfast/api';
import type { ClusterOverview } from '@holdfast/validators';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The cluster's directory (HOLDFAST_CLUSTER_DIR when it was started with one), as the first argument.
const clusterDir = path.resolve(fileURLToPath(new URL('../../../', import.meta.url)), process.argv[2] ?? '.holdfast/cluster');

interface Record {
  name: string;
  kind: string;
  pid: number;
  startTime: number | null;
}

function startTimeOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const field = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[22 - 3];
    return field === undefined ? null : Number(field);
  } catch {
    return null;
  }
}

const nodes = (o: ClusterOverview) => o.regions.flatMap((r) => r.postgres);

async function main(): Promise<void> {
  const topology = await readOverviewTopologyFile(path.join(clusterDir, 'topology.json'));
  const state = JSON.parse(readFileSync(path.join(clusterDir, 'state.json'), 'utf8')) as { processes: Record[] };
  const snapshots: { at: number; overview: ClusterOverview }[] = [];
  const collector = createOverviewCollector({ self: { gatewayId: 'cluster-check', region: 'none' }, topology: () => topology });
  const unsubscribe = collector.subscribe((overview) => snapshots.push({ at: Date.now(), overview }));
  const first = await collector.snapshot();
  const leader = nodes(first).find((n) => n.role === 'leader' && n.state === 'running');
  if (leader === undefined) throw new Error(`no running leader: ${JSON.stringify(nodes(first))}`);
  const record = state.processes.find((p) => p.kind === 'patroni' && p.name === leader.name);
  if (record === undefined || startTimeOf(record.pid) !== record.startTime) throw new Error(`${leader.name}'s recorded Patroni process is not running`);
  const postmasterPid = Number(readFileSync(path.join(clusterDir, leader.name, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
  console.log(`leader ${leader.name} (timeline ${String(leader.timeline)}): SIGKILL Patroni ${String(record.pid)} and postmaster ${String(postmasterPid)}`);
  const killedAt = Date.now();
  process.kill(record.pid, 'SIGKILL');
  process.kill(postmasterPid, 'SIGKILL');

  const deadline = killedAt + 60_000;
  let downAt: number | null = null;
  let newLeader: { at: number; name: string; timeline: number | null; haproxy: (string | null)[] } | null = null;
  while (Date.now() < deadline && newLeader === null) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const { at, overview } of snapshots.splice(0)) {
      if (at < killedAt) continue;
      const old = nodes(overview).find((n) => n.name === leader.name);
      if (downAt === null && old?.state === 'unreachable') downAt = at;
      const promoted = nodes(overview).find((n) => n.name !== leader.name && n.role === 'leader' && n.state === 'running');
      const primaries = overview.regions.flatMap((r) => r.haproxy.map((h) => h.primaryBackend));
      if (promoted !== undefined && (promoted.timeline ?? 0) > (leader.timeline ?? 0) && primaries.some((p) => p === promoted.name)) {
        newLeader = { at, name: promoted.name, timeline: promoted.timeline, haproxy: primaries };
        break;
      }
    }
  }
  if (newLeader === null) throw new Error('no new leader seen within 60 s');
  // Patroni records the switch in /history a loop or two after the promotion: wait for it.
  const found = newLeader;
  let switched = (await collector.snapshot()).failovers.find((f) => f.timeline === found.timeline);
  for (let i = 0; i < 100 && switched === undefined; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    switched = (await collector.snapshot()).failovers.find((f) => f.timeline === found.timeline);
  }
  unsubscribe();
  collector.close();
  const switchedAt = switched?.at === null || switched?.at === undefined ? null : Date.parse(switched.at);
  const lines = [
    `killed at ${new Date(killedAt).toISOString()}`,
    `old leader ${leader.name} shown down after ${downAt === null ? 'never' : `${String(downAt - killedAt)} ms`}`,
    `new leader ${newLeader.name} (timeline ${String(newLeader.timeline)}, HAProxy primaries ${newLeader.haproxy.join('/')}) shown after ${String(newLeader.at - killedAt)} ms`,
    switchedAt === null
      ? 'Patroni history has no time for the new timeline'
      : `Patroni switched timelines at ${new Date(switchedAt).toISOString()} (${String(switchedAt - killedAt)} ms after the kill): the map showed it ${String(newLeader.at - switchedAt)} ms later (bound: 3000 ms)`,
  ];
  console.log(lines.join('\n'));
  if (switchedAt !== null && newLeader.at - switchedAt > 3_000) process.exitCode = 1;
}

await main();
