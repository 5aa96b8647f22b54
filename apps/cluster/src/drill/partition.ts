// Partition drills (issue 14): a region cut off from the others while every process in it keeps
// running — its link to the bridge set down (packets vanish; nothing is refused), so the old
// primary is alive, its gateways are alive, and its own clients still reach them. What must hold:
// the cut-off primary stops acknowledging writes (strict synchronous mode: its standby is on the
// other side; Patroni demotes it when it loses etcd), the majority elects a new leader, clients
// outside keep logging in, the cut-off gateways answer 503 within their deadline instead of
// hanging or acknowledging, and after healing the old primary rejoins as a replica (pg_rewind).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { clusterMembers, type ClusterMember } from '../cluster';
import { gatewayEndpoints, type ClusterConfig, type RegionLayout } from '../config';
import { setRegionLink } from '../netns';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const partitionScenarios = ['partition-primary-region', 'partition-replica-region', 'partition-flapping'] as const;
export type PartitionScenario = (typeof partitionScenarios)[number];

/** One request a client inside the cut-off region sent to its own gateway. */
export interface StrandedAnswer {
  atMs: number;
  gateway: string;
  /** HTTP status, or 0 when the probe gave up waiting (a hang) or could not connect. */
  status: number;
  code: string | null;
  ms: number;
}

export interface PartitionSection {
  scenario: PartitionScenario;
  region: string;
  leaderBefore: string | null;
  leaderAfter: string | null;
  /** Promotions during the drill (the leader's timeline after minus before). */
  leaderChanges: number | null;
  cutAtMs: number;
  healedAtMs: number;
  /** flapping: how many times the link went down. */
  cuts: number;
  /** ms from the heal until every member ran again on the leader's timeline (null: not within the bound). */
  rejoinedAfterMs: number | null;
  rejoinBoundMs: number;
  /** The members after the rejoin wait (who is leader, who replicates, on which timeline). */
  membersAfter: ClusterMember[];
  /** partition-primary-region: what a client inside the cut-off region got from its own gateways. */
  stranded: StrandedAnswer[];
  /** The bound a stranded answer must meet: the gateways' request deadline + 2 s. */
  strandedBoundMs: number;
}

/**
 * A client inside a region's namespace: verifications (a wrong TOTP code: a write — the attempt
 * row and the failure counter) to that region's gateways, one after another, for `forMs`.
 * Runs as a separate `node` in the namespace; its answers come back as JSON on stdout.
 */
async function probeFromInside(options: {
  region: RegionLayout;
  gateways: { id: string; url: string }[];
  apiKey: string;
  userId: string;
  forMs: number;
  giveUpMs: number;
  sinceStart: () => number;
}): Promise<StrandedAnswer[]> {
  if (options.region.namespace === null) return [];
  const startedAtMs = Math.round(options.sinceStart());
  // Plain JavaScript for `node -e` (no loader inside the namespace); inputs come as one JSON argument.
  const script = `
const input = JSON.parse(process.argv[1]);
const answers = [];
const t0 = Date.now();
let n = 0;
(async () => {
  while (Date.now() - t0 < input.forMs) {
    const gateway = input.gateways[n % input.gateways.length];
    n += 1;
    const started = Date.now();
    let status = 0;
    let code = null;
    try {
      const response = await fetch(gateway.url + '/v1/verify/totp', {
        method: 'POST',
        headers: { authorization: 'Bearer ' + input.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: input.userId, attemptId: 'stranded-' + String(t0) + '-' + String(n), code: '000000' }),
        signal: AbortSignal.timeout(input.giveUpMs),
      });
      status = response.status;
      const body = await response.json().catch(() => null);
      code = body && typeof body.holdfastCode === 'string' ? body.holdfastCode : body && body.outcome ? String(body.outcome) : null;
    } catch (error) {
      code = error && error.name === 'TimeoutError' ? 'HUNG' : 'NO_CONNECTION';
    }
    answers.push({ atMs: started - t0, gateway: gateway.id, status, code, ms: Date.now() - started });
    if (status === 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  process.stdout.write(JSON.stringify(answers));
  process.exit(0);
})();
`;
  const input = JSON.stringify({
    gateways: options.gateways,
    apiKey: options.apiKey,
    userId: options.userId,
    forMs: options.forMs,
    giveUpMs: options.giveUpMs,
  });
  const { stdout } = await run('ip', ['netns', 'exec', options.region.namespace, process.execPath, '-e', script, input], {
    timeout: options.forMs + options.giveUpMs + 10_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as StrandedAnswer[]).map((a) => ({ ...a, atMs: a.atMs + startedAtMs }));
}

function leaderOf(members: ClusterMember[]): ClusterMember | undefined {
  return members.find((m) => m.role === 'leader');
}

/** Waits until every member runs (or streams) as leader or replica on the leader's timeline. */
async function waitForRejoin(config: ClusterConfig, boundMs: number): Promise<{ afterMs: number | null; members: ClusterMember[] }> {
  const started = Date.now();
  let members: ClusterMember[] = [];
  while (Date.now() - started < boundMs) {
    members = await clusterMembers(config);
    const leader = leaderOf(members);
    const isWhole =
      leader !== undefined &&
      members.length === config.regions.length &&
      members.every((m) => (m.state === 'running' || m.state === 'streaming') && m.timeline === leader.timeline);
    if (isWhole) return { afterMs: Date.now() - started, members };
    await sleep(500);
  }
  return { afterMs: null, members };
}

export async function runPartition(options: {
  scenario: PartitionScenario;
  config: ClusterConfig;
  /** The region to cut: the leader's (primary-region, flapping) or a replica's (replica-region). */
  region: RegionLayout;
  apiKey: string;
  /** A seeded user only the stranded probe uses (its wrong codes must not lock a load user). */
  strandedUserId: string;
  gatewayDeadlineMs: number;
  holdMs: number;
  flap: { downMs: number; upMs: number; forMs: number };
  sinceStart: () => number;
  note: (what: string) => void;
}): Promise<PartitionSection> {
  const { config, region, note } = options;
  if (config.network.mode !== 'netns')
    throw new Error(`${options.scenario} needs the network-namespace layout: \`npm run cluster:down\`, then \`npm run cluster -- --netns\``);
  const before = await clusterMembers(config);
  const leaderBefore = leaderOf(before);
  // The gateway's own deadline plus room for a 2-core machine running the whole cluster and the load.
  const strandedBoundMs = options.gatewayDeadlineMs + 2_000;
  const cutAtMs = Math.round(options.sinceStart());
  let cuts = 0;
  let stranded: StrandedAnswer[] = [];
  // An object, not a variable: set inside `heal`, read after the try (the first heal counts).
  const healed: { atMs: number | null } = { atMs: null };
  const heal = (): void => {
    setRegionLink(config, region, true);
    healed.atMs ??= Math.round(options.sinceStart());
  };
  try {
    if (options.scenario === 'partition-flapping') {
      while (options.sinceStart() - cutAtMs < options.flap.forMs) {
        setRegionLink(config, region, false);
        cuts += 1;
        note(`${region.name} cut off (${cuts})`);
        await sleep(options.flap.downMs);
        setRegionLink(config, region, true);
        note(`${region.name} link up`);
        await sleep(options.flap.upMs);
      }
    } else {
      setRegionLink(config, region, false);
      cuts = 1;
      note(`${region.name} cut off from the other regions and the clients (link down; every process in it keeps running)`);
      const probe =
        options.scenario === 'partition-primary-region'
          ? probeFromInside({
              region,
              gateways: gatewayEndpoints(config)
                .filter((g) => g.region.name === region.name)
                .map((g) => ({ id: g.id, url: g.url })),
              apiKey: options.apiKey,
              userId: options.strandedUserId,
              // New requests until a second before the heal; each may take up to its bound (plus a margin to tell a hang).
              forMs: Math.max(1_000, options.holdMs - 1_000),
              giveUpMs: strandedBoundMs + 4_000,
              sinceStart: options.sinceStart,
            })
          : Promise.resolve([]);
      await sleep(options.holdMs);
      heal();
      note(`${region.name} healed (link up)`);
      stranded = await probe;
    }
  } finally {
    heal();
  }
  if (options.scenario === 'partition-flapping') note(`${region.name} link up for good`);
  const rejoinBoundMs = 90_000;
  // Measured from the heal: the stranded probe's last answer may come seconds after it.
  const healedAt = healed.atMs ?? Math.round(options.sinceStart());
  const waited = await waitForRejoin(config, Math.max(1_000, rejoinBoundMs - (options.sinceStart() - healedAt)));
  const rejoin = { ...waited, afterMs: waited.afterMs === null ? null : Math.round(options.sinceStart() - healedAt) };
  const leaderAfter = leaderOf(rejoin.members);
  note(
    rejoin.afterMs === null
      ? `not every member back on the leader's timeline within ${rejoinBoundMs / 1000} s`
      : `every member back on timeline ${String(leaderAfter?.timeline)} ${(rejoin.afterMs / 1000).toFixed(1)} s after the heal (leader ${leaderAfter?.name ?? '?'})`,
  );
  return {
    scenario: options.scenario,
    region: region.name,
    leaderBefore: leaderBefore?.name ?? null,
    leaderAfter: leaderAfter?.name ?? null,
    leaderChanges: leaderBefore?.timeline != null && leaderAfter?.timeline != null ? leaderAfter.timeline - leaderBefore.timeline : null,
    cutAtMs,
    healedAtMs: healed.atMs ?? Math.round(options.sinceStart()),
    cuts,
    rejoinedAfterMs: rejoin.afterMs,
    rejoinBoundMs,
    membersAfter: rejoin.members,
    stranded,
    strandedBoundMs,
  };
}

/** The partition drills' own targets (correctness stays the drill's lost / replay / audit checks). */
export function partitionTargets(section: PartitionSection): { name: string; isMet: boolean; value: string }[] {
  const targets: { name: string; isMet: boolean; value: string }[] = [
    {
      name: `old side rejoined: every member on the leader's timeline ≤ ${section.rejoinBoundMs / 1000} s after the heal`,
      isMet: section.rejoinedAfterMs !== null,
      value: section.rejoinedAfterMs === null ? 'no' : `${(section.rejoinedAfterMs / 1000).toFixed(1)} s`,
    },
  ];
  if (section.scenario === 'partition-primary-region') {
    // Only an answer given while the region was still cut off says the old side acknowledged a
    // write; one that arrives after the heal may come from the new primary, as it should.
    const acknowledged = section.stranded.filter((a) => a.status >= 200 && a.status < 300 && a.atMs + a.ms < section.healedAtMs);
    const slow = section.stranded.filter((a) => a.status === 0 || a.ms > section.strandedBoundMs);
    // Answered while still cut off: each must be the typed "no database" refusal. A fast 404 or
    // 429 would say nothing about the write path (a read the old primary served before demoting).
    const beforeHeal = section.stranded.filter((a) => a.status !== 0 && a.atMs + a.ms < section.healedAtMs);
    const notRefusals = beforeHeal.filter((a) => !(a.status === 503 && (a.code === 'DATABASE_UNAVAILABLE' || a.code === 'GATEWAY_OVERLOADED')));
    targets.push(
      {
        name: 'a new leader on the majority side',
        isMet: (section.leaderChanges ?? 0) >= 1 && section.leaderAfter !== section.leaderBefore,
        value: `${section.leaderBefore ?? '?'} → ${section.leaderAfter ?? '?'}`,
      },
      {
        name: 'cut-off gateways acknowledged 0 writes',
        isMet: section.stranded.length > 0 && acknowledged.length === 0,
        value: `${acknowledged.length} of ${section.stranded.length}`,
      },
      {
        name: `cut-off gateways answered every request within ${section.strandedBoundMs / 1000} s, with 503 while cut off (no hang)`,
        isMet: section.stranded.length > 0 && slow.length === 0 && beforeHeal.length > 0 && notRefusals.length === 0,
        value:
          section.stranded.length === 0
            ? 'no answers'
            : `${section.stranded.length - slow.length}/${section.stranded.length}, slowest ${Math.max(...section.stranded.map((a) => a.ms))} ms`,
      },
    );
  } else if (section.scenario === 'partition-replica-region') {
    targets.push({
      name: 'no failover (the leader kept its place)',
      isMet: section.leaderChanges === 0,
      value: `${String(section.leaderChanges)} leader changes`,
    });
  } else {
    targets.push({
      name: 'no failover storm (≤ 1 leader change while flapping)',
      isMet: section.leaderChanges !== null && section.leaderChanges <= 1,
      value: `${String(section.leaderChanges)} leader changes in ${section.cuts} cuts`,
    });
  }
  return targets;
}

export function renderPartitionMarkdown(section: PartitionSection): string[] {
  const lines = [
    '## Partition',
    '',
    `- region cut off: ${section.region} at ${(section.cutAtMs / 1000).toFixed(1)} s${section.cuts > 1 ? ` (${section.cuts} cuts)` : ''}, healed at ${(section.healedAtMs / 1000).toFixed(1)} s`,
    `- leader: ${section.leaderBefore ?? '?'} → ${section.leaderAfter ?? '?'} (${String(section.leaderChanges)} promotions)`,
    `- every member back on the leader's timeline: ${section.rejoinedAfterMs === null ? `not within ${section.rejoinBoundMs / 1000} s` : `${(section.rejoinedAfterMs / 1000).toFixed(1)} s after the heal`}`,
    `- members after: ${section.membersAfter.map((m) => `${m.name} ${m.role} (${m.state}, timeline ${String(m.timeline)})`).join(', ')}`,
  ];
  if (section.stranded.length > 0) {
    const byAnswer = new Map<string, number>();
    for (const a of section.stranded) byAnswer.set(`${a.status} ${a.code ?? ''}`.trim(), (byAnswer.get(`${a.status} ${a.code ?? ''}`.trim()) ?? 0) + 1);
    lines.push(
      `- a client inside the cut-off region (its own gateways, wrong TOTP codes): ${section.stranded.length} requests; ${[...byAnswer].map(([k, v]) => `${v} × ${k}`).join(', ')}; slowest ${Math.max(...section.stranded.map((a) => a.ms))} ms (bound ${section.strandedBoundMs} ms)`,
    );
  }
  return [...lines, ''];
}
