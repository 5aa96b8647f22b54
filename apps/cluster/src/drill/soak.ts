// The soak (issue 14: no false failovers): steady load at half the measured capacity, nothing
// disrupted, for N minutes. What must hold: the leader never changes (Patroni's timeline is the
// same before and after, and every sample in between saw the same leader), no login fails, and
// the p99 per minute stays stable — a cluster tuned for fast failover (short TTL, fast checks)
// must not mistake a busy minute for a dead primary.
import { generateTotpCode, parseKeyring, timeStepAt } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { createProcessCpuSampler, readSystemCpu, topGroups } from '@holdfast/process';
import { createHoldfastClient } from '@holdfast/sdk';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { clusterLogin, clusterMembers } from '../cluster';
import { gatewayEndpoints, postgresUrl, type ClusterConfig } from '../config';
import type { DrillRequest } from './load';
import { seedDrill } from './seed';

/** One minute of the soak's load (requests by the minute they started in). */
export interface SoakMinute {
  minute: number;
  sent: number;
  accepted: number;
  /** Fresh logins that were not accepted (rejected or errored). */
  failed: number;
  p50: number;
  p99: number;
}

/**
 * "Stable": no full minute's p99 above `limitMs` = max(2 × the median minute's p99, median +
 * 250 ms). The median, not the first minute, is the yardstick: the first minute carries the
 * warm-up (JIT, pools filling), which would make "2 × the first minute" lax; the 250 ms floor keeps
 * a 40 → 90 ms wobble of a shared 2-core machine's scheduler from counting as instability.
 */
export interface SoakStability {
  isStable: boolean;
  medianP99: number;
  limitMs: number;
  /** Minutes whose p99 exceeded the limit. */
  over: { minute: number; p99: number }[];
}

export interface SoakSection {
  ratePerSecond: number;
  leaderBefore: string | null;
  leaderAfter: string | null;
  timelineBefore: number | null;
  timelineAfter: number | null;
  /** Promotions during the soak (timeline after minus before); null when a timeline was unknown. */
  leaderChanges: number | null;
  /** Every leader the watch saw (sampled every 2 s); one name when nothing moved. */
  leadersSeen: string[];
  /** Samples in which Patroni answered and named no leader (a real gap). */
  samplesWithoutLeader: number;
  /**
   * Samples no Patroni answered within its 1-s REST timeout: a starved process on a busy machine,
   * not a leader change (the timeline would move), so they are counted apart and do not fail.
   */
  samplesUnanswered: number;
  samples: number;
  sent: number;
  failedLogins: number;
  minutes: SoakMinute[];
  stability: SoakStability;
  /**
   * The slowest seconds of the load (by p99), each beside what the machine and the drill itself
   * did in that second: a single slow second decides a minute's p99 at these rates, and this says
   * whether the cluster was slow or the load generator (its own event loop) or the whole machine.
   */
  slowSeconds: SlowSecond[];
  /** Each process group's mean CPU over the sampled seconds, in cores, busiest first: the baseline a slow second's own list is read against. */
  cpuByProcess: { group: string; cores: number }[];
}

/** One second of the soak as the sampler saw it. */
export interface SecondSample {
  /** The drill's second (since its start) that holds the middle of this 1-s sampling window. */
  second: number;
  /** The machine's CPU busy share in that second (all cores, /proc/stat), 0–1. */
  cpuBusy: number;
  /** The drill process's own CPU in that second, in cores (1 = one core all second). */
  drillCpu: number;
  /** The longest the drill's event loop was blocked in that second (its requests wait that long to be sent or read). */
  loopDelayMaxMs: number;
  /** The process groups that used the most CPU in that second, in cores (`pg1 backend`, `patroni`, `gateway`…). */
  topProcesses: { group: string; cores: number }[];
}

export interface SlowSecond extends Partial<Omit<SecondSample, 'second'>> {
  second: number;
  sent: number;
  p50: number;
  p99: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** The soak's fresh logins per full minute of the load (a partial last minute is left out: too few samples). */
export function soakMinutes(requests: readonly DrillRequest[], durationMs: number): SoakMinute[] {
  const full = Math.floor(durationMs / 60_000);
  const fresh = requests.filter((r) => r.kind === 'fresh');
  return Array.from({ length: full }, (_, minute) => {
    const rs = fresh.filter((r) => r.startMs >= minute * 60_000 && r.startMs < (minute + 1) * 60_000);
    const latencies = rs.map((r) => r.endMs - r.startMs).sort((a, b) => a - b);
    const accepted = rs.filter((r) => r.outcome === 'accepted').length;
    return {
      minute: minute + 1,
      sent: rs.length,
      accepted,
      failed: rs.length - accepted,
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
    };
  });
}

/** The `count` seconds with the highest p99 (fresh logins by the second they started), with the sampler's view of each. */
export function slowestSeconds(requests: readonly DrillRequest[], samples: readonly SecondSample[], count: number): SlowSecond[] {
  const bySecond = new Map<number, number[]>();
  for (const r of requests) {
    if (r.kind !== 'fresh') continue;
    const second = Math.floor(r.startMs / 1000);
    const list = bySecond.get(second) ?? [];
    list.push(r.endMs - r.startMs);
    bySecond.set(second, list);
  }
  const sampled = new Map(samples.map((s) => [s.second, s]));
  return [...bySecond]
    .map(([second, latencies]) => {
      latencies.sort((a, b) => a - b);
      const sample = sampled.get(second);
      const machine =
        sample === undefined
          ? {}
          : { cpuBusy: sample.cpuBusy, drillCpu: sample.drillCpu, loopDelayMaxMs: sample.loopDelayMaxMs, topProcesses: sample.topProcesses };
      return { second, sent: latencies.length, p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), ...machine };
    })
    .sort((a, b) => b.p99 - a.p99 || a.second - b.second)
    .slice(0, count);
}

/** What the sampler hands back: each second, and each process group's mean CPU over all of them. */
interface SampledSeconds {
  seconds: SecondSample[];
  cpuByProcess: { group: string; cores: number }[];
}

/** Samples the machine's CPU, each process group's, the drill's own and its event-loop delay every second until stopped. */
function startSecondSampler(sinceStart: () => number): { stop: () => SampledSeconds } {
  const samples: SecondSample[] = [];
  const totals = new Map<string, number>();
  const processes = createProcessCpuSampler();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const readCpu = async (): Promise<{ busy: number; total: number } | null> => {
    const ticks = await readSystemCpu();
    // Not Linux: the CPU column stays empty. Steal counts as busy: the cores were not this guest's to idle on.
    return ticks === null ? null : { busy: ticks.busy + ticks.steal, total: ticks.busy + ticks.steal + ticks.idle };
  };
  let lastCpu: { busy: number; total: number } | null = null;
  let lastOwn = process.cpuUsage();
  let lastAt = performance.now();
  void Promise.all([readCpu(), processes.sample()]).then(([cpu]) => {
    lastCpu = cpu;
  });
  const timer = setInterval(() => {
    const at = performance.now();
    const own = process.cpuUsage();
    const second = Math.floor((sinceStart() - 500) / 1000); // the drill second holding the middle of the window that just ended
    const drillCpu = (own.user - lastOwn.user + own.system - lastOwn.system) / 1000 / Math.max(1, at - lastAt);
    const loopDelayMaxMs = Math.round(loop.max / 1e6);
    loop.reset();
    lastOwn = own;
    lastAt = at;
    void Promise.all([readCpu(), processes.sample()]).then(([cpu, byGroup]) => {
      const cpuBusy = cpu !== null && lastCpu !== null && cpu.total > lastCpu.total ? (cpu.busy - lastCpu.busy) / (cpu.total - lastCpu.total) : 0;
      lastCpu = cpu;
      for (const [group, cores] of byGroup) totals.set(group, (totals.get(group) ?? 0) + cores);
      samples.push({
        second,
        cpuBusy: Math.round(cpuBusy * 100) / 100,
        drillCpu: Math.round(drillCpu * 100) / 100,
        loopDelayMaxMs,
        topProcesses: topGroups(byGroup, 4),
      });
    });
  }, 1_000);
  return {
    stop: () => {
      clearInterval(timer);
      loop.disable();
      const means = new Map([...totals].map(([group, cores]) => [group, cores / Math.max(1, samples.length)]));
      return { seconds: samples, cpuByProcess: topGroups(means, 12) };
    },
  };
}

function describeGroups(groups: readonly { group: string; cores: number }[] | undefined): string {
  return groups === undefined || groups.length === 0 ? '?' : groups.map((g) => `${g.group} ${g.cores.toFixed(2)}`).join(', ');
}

export function judgeStability(minutes: readonly Pick<SoakMinute, 'minute' | 'p99'>[]): SoakStability {
  const p99s = minutes.map((m) => m.p99).sort((a, b) => a - b);
  const middle = Math.floor(p99s.length / 2);
  const medianP99 = p99s.length === 0 ? 0 : p99s.length % 2 === 1 ? (p99s[middle] ?? 0) : Math.round(((p99s[middle - 1] ?? 0) + (p99s[middle] ?? 0)) / 2);
  const limitMs = Math.max(2 * medianP99, medianP99 + 250);
  const over = minutes.filter((m) => m.p99 > limitMs).map((m) => ({ minute: m.minute, p99: m.p99 }));
  return { isStable: minutes.length > 0 && over.length === 0, medianP99, limitMs, over };
}

/** TOTP users the load needs at `ratePerSecond`: each code is usable once per 30-s step, so a step's worth, +10 %. */
export function soakUsersFor(ratePerSecond: number): number {
  return Math.ceil(ratePerSecond * 30 * 1.1) + 20;
}

export interface SoakWatch {
  /** Stops the watch once the load has ended and judges it. */
  finish: (load: { requests: readonly DrillRequest[]; durationMs: number; ratePerSecond: number }) => Promise<SoakSection>;
}

/**
 * Starts watching the leader (Patroni's view, every 2 s) from now until `finish`. The scenario
 * calls it at the drill's `--at` (the soak plan sets it to the load's first second).
 */
export async function startSoakWatch(config: ClusterConfig, note: (what: string) => void, sinceStart: () => number): Promise<SoakWatch> {
  const before = (await clusterMembers(config)).find((m) => m.role === 'leader');
  note(`soak: leader ${before?.name ?? 'none'} on timeline ${String(before?.timeline ?? '?')}; watching it every 2 s, nothing disrupted`);
  const leadersSeen = new Set<string>(before === undefined ? [] : [before.name]);
  let samples = 0;
  let samplesWithoutLeader = 0;
  let samplesUnanswered = 0;
  let busy = false;
  const sampler = startSecondSampler(sinceStart);
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void clusterMembers(config)
      .then((members) => {
        samples += 1;
        const leader = members.find((m) => m.role === 'leader');
        if (members.length === 0) samplesUnanswered += 1;
        else if (leader === undefined) samplesWithoutLeader += 1;
        else if (!leadersSeen.has(leader.name)) {
          leadersSeen.add(leader.name);
          note(`soak: leader is now ${leader.name} (timeline ${String(leader.timeline)})`);
        }
      })
      .finally(() => {
        busy = false;
      });
  }, 2_000);
  return {
    finish: async ({ requests, durationMs, ratePerSecond }) => {
      clearInterval(timer);
      const { seconds, cpuByProcess } = sampler.stop();
      const after = (await clusterMembers(config)).find((m) => m.role === 'leader');
      const minutes = soakMinutes(requests, durationMs);
      const fresh = requests.filter((r) => r.kind === 'fresh');
      const section: SoakSection = {
        ratePerSecond,
        leaderBefore: before?.name ?? null,
        leaderAfter: after?.name ?? null,
        timelineBefore: before?.timeline ?? null,
        timelineAfter: after?.timeline ?? null,
        leaderChanges: before?.timeline != null && after?.timeline != null ? after.timeline - before.timeline : null,
        leadersSeen: [...leadersSeen, ...(after !== undefined && !leadersSeen.has(after.name) ? [after.name] : [])],
        samplesWithoutLeader,
        samplesUnanswered,
        samples,
        sent: fresh.length,
        failedLogins: fresh.filter((r) => r.outcome !== 'accepted').length,
        minutes,
        stability: judgeStability(minutes),
        slowSeconds: slowestSeconds(requests, seconds, 5),
        cpuByProcess,
      };
      for (const m of minutes) note(`soak minute ${m.minute}: ${m.accepted}/${m.sent} accepted, p50 ${m.p50} ms, p99 ${m.p99} ms`);
      for (const s of section.slowSeconds)
        note(
          `soak slow second ${s.second}: p50 ${s.p50} ms, p99 ${s.p99} ms (${s.sent} sent); machine CPU ${s.cpuBusy === undefined ? '?' : `${Math.round(s.cpuBusy * 100)} %`}, drill CPU ${s.drillCpu ?? '?'} cores, drill event loop blocked up to ${s.loopDelayMaxMs ?? '?'} ms; busiest ${describeGroups(s.topProcesses)}`,
        );
      note(`soak CPU by process, mean over ${seconds.length} s: ${describeGroups(cpuByProcess)}`);
      note(
        `soak: leader ${section.leaderBefore ?? '?'} (timeline ${String(section.timelineBefore)}) → ${section.leaderAfter ?? '?'} (timeline ${String(section.timelineAfter)}); ${samples} samples, ${samplesWithoutLeader} without a leader, ${samplesUnanswered} unanswered`,
      );
      return section;
    },
  };
}

/** The soak's own targets (the drill keeps its success, loss, replay and audit targets beside them). */
export function soakTargets(section: SoakSection): { name: string; isMet: boolean; value: string }[] {
  const { stability } = section;
  return [
    {
      name: 'soak: 0 leader changes (Patroni timeline before = after, one leader in every sample)',
      isMet: section.leaderChanges === 0 && section.leadersSeen.length === 1 && section.samplesWithoutLeader === 0,
      value: `timeline ${String(section.timelineBefore)} → ${String(section.timelineAfter)}, leaders seen ${section.leadersSeen.join(', ') || 'none'}, ${section.samplesWithoutLeader}/${section.samples} samples without a leader (${section.samplesUnanswered} unanswered within 1 s)`,
    },
    {
      name: 'soak: 0 failed logins',
      isMet: section.failedLogins === 0,
      value: `${section.failedLogins} of ${section.sent} at ${section.ratePerSecond}/s`,
    },
    {
      name: 'soak: p99 stable (no full minute above max(2 × median minute p99, median + 250 ms))',
      isMet: stability.isStable,
      value: `per minute ${section.minutes.map((m) => `${m.minute}: ${m.p99}`).join(', ') || 'none (under a minute of load)'} ms; median ${stability.medianP99} ms, limit ${stability.limitMs} ms${stability.over.length > 0 ? `; over: ${stability.over.map((o) => `minute ${o.minute}`).join(', ')}` : ''}`,
    },
  ];
}

export interface CapacityProbe {
  concurrency: number;
  measuredMs: number;
  accepted: number;
  failed: number;
  perSecond: number;
  p99Ms: number;
}

/**
 * A closed-loop probe: `concurrency` clients each send the next TOTP login as soon as the last one
 * answered, for `seconds`; the accepted logins per second after a 5-s warm-up are the capacity.
 * It sends the soak's mix — every fifth accepted code again at once as a replay, as the drill load
 * does — and lasts long enough for the audit sealer's work to count: a 7-s probe without replays
 * once said 437/s, and a soak at half of it ran the machine at ~100 % CPU (p99 spikes of seconds).
 * Its own application and users (a drill seeds its own afterwards).
 */
export async function measureCapacity(
  config: ClusterConfig,
  options: { seconds: number; concurrency: number; log: (line: string) => void },
): Promise<CapacityProbe> {
  const migrator = await clusterLogin(config, 'migrator');
  const db = createDatabase({
    url: config.regions.map((r) => postgresUrl(config, r, config.database, migrator)),
    poolMax: 2,
    applicationName: 'holdfast-soak-probe',
    connectTimeoutMs: 5_000,
  });
  try {
    const keys = JSON.parse(await readFile(config.keysFile, 'utf8')) as { keys: string; activeKeyId: string };
    // Enough users that none is needed twice in one 30-s step below ~500 logins/s.
    const { apiKey, users } = await seedDrill({ db, keyring: parseKeyring(keys), scenario: 'soak-capacity-probe', totpUsers: 15_000, recoveryUsers: 0 });
    const client = createHoldfastClient({ gateways: gatewayEndpoints(config).map((g) => g.url), apiKey, deadlineMs: 15_000 });
    const warmUpMs = 5_000;
    let sentAccepted = 0;
    const started = performance.now();
    const endAt = started + options.seconds * 1000;
    const latencies: number[] = [];
    let accepted = 0;
    let failed = 0;
    // Set inside the workers (an object, so the checks below see their writes).
    const pool = { exhausted: false };
    const worker = async (): Promise<void> => {
      while (performance.now() < endAt && !pool.exhausted) {
        const step = timeStepAt({ at: new Date(), period: 30 });
        const user = users.find((u) => u.lastStep < step);
        if (user === undefined) {
          pool.exhausted = true;
          return;
        }
        user.lastStep = step;
        const code = await generateTotpCode({ secret: user.secret, params: { algorithm: 'SHA1', digits: 6, period: 30 }, at: new Date(step * 30_000 + 1) });
        const sentAt = performance.now();
        let isAccepted = false;
        let answeredAt: number | null = null;
        try {
          isAccepted = (await client.verifyTotp({ userId: user.userId, code, attemptId: randomUUID() })).outcome === 'accepted';
          answeredAt = performance.now();
          sentAccepted += isAccepted ? 1 : 0;
          // The soak's replay share (run-drill's replayEvery 5): its cost is part of a login's.
          if (isAccepted && sentAccepted % 5 === 0) await client.verifyTotp({ userId: user.userId, code, attemptId: randomUUID() });
        } catch {
          // counted as failed below
        }
        const now = answeredAt ?? performance.now(); // the login's own latency, not its replay's
        if (sentAt - started >= warmUpMs && now <= endAt) {
          latencies.push(now - sentAt);
          if (isAccepted) accepted += 1;
          else failed += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
    const measuredMs = Math.max(1, Math.min(performance.now(), endAt) - started - warmUpMs);
    latencies.sort((a, b) => a - b);
    const probe: CapacityProbe = {
      concurrency: options.concurrency,
      measuredMs: Math.round(measuredMs),
      accepted,
      failed,
      perSecond: Math.round((accepted / measuredMs) * 1000 * 10) / 10,
      p99Ms: Math.round(percentile(latencies, 99)),
    };
    options.log(
      `capacity probe: ${probe.perSecond} logins/s accepted (${accepted} in ${(measuredMs / 1000).toFixed(1)} s, ${failed} failed, ${options.concurrency} clients closed-loop, every fifth code replayed, p99 ${probe.p99Ms} ms)${pool.exhausted ? ' — ran out of users (a lower bound)' : ''}`,
    );
    return probe;
  } finally {
    await db.close();
  }
}

export interface SoakPlan {
  ratePerSecond: number;
  rateFrom: string;
  users: number;
  durationMs: number;
  /** The watch starts in the load's first second, so the whole soak is covered. */
  watchFromMs: number;
  capacity: CapacityProbe | null;
}

/** The soak's settings: `--rate` if given, else half of a closed-loop capacity probe; enough users for the rate. */
export async function planSoak(
  config: ClusterConfig,
  options: { rate: number | null; users: number; minutes: number; log: (line: string) => void },
): Promise<SoakPlan> {
  const capacity = options.rate === null ? await measureCapacity(config, { seconds: 30, concurrency: 16, log: options.log }) : null;
  const ratePerSecond = capacity === null ? (options.rate ?? 1) : Math.max(1, Math.floor(capacity.perSecond / 2));
  return {
    ratePerSecond,
    rateFrom: capacity === null ? 'given with --rate' : `half of the probed ${capacity.perSecond}/s`,
    users: Math.max(options.users, soakUsersFor(ratePerSecond)),
    durationMs: options.minutes * 60_000,
    watchFromMs: 1_000,
    capacity,
  };
}
