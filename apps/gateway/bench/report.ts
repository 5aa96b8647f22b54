// Summaries and the printed table. Medians of rounds: one noisy round (another process on the
// two cores) does not move the result; the rounds themselves are kept in the JSON.
import { cpus, loadavg } from 'node:os';
import type { RoundResult } from './load';
import { formatMachineCpu, type MachineCpu } from './machine-cpu';
import type { ProcessMemory } from './processes';
import { sealingLines, type SealingReport } from './sealing';
import { targetLabels, type TargetName } from './targets';

export interface Summary {
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  outcomes: Record<string, number>;
  rounds: RoundResult[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export function summarize(rounds: RoundResult[]): Summary {
  const outcomes: Record<string, number> = {};
  for (const round of rounds) for (const [kind, n] of Object.entries(round.outcomes)) outcomes[kind] = (outcomes[kind] ?? 0) + n;
  return {
    throughput: median(rounds.map((r) => r.throughput)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    requests: rounds.reduce((sum, r) => sum + r.count, 0),
    outcomes,
    rounds,
  };
}

export function machine(): { cores: number; cpu: string; loadAverage: number[]; node: string } {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', loadAverage: loadavg().map((l) => Math.round(l * 100) / 100), node: process.version };
}

const n = (value: number, digits = 0, width = 9): string => (Number.isFinite(value) ? value.toFixed(digits) : '–').padStart(width);

export interface LevelReport {
  concurrency: number;
  targets: Partial<Record<TargetName, Summary>>;
  /** The gateway's memory at the highest sample during its rounds. */
  gatewayRss: ProcessMemory | null;
  /** (d) vs (e): whether the sealer really ran in each; null when (e) was not measured. */
  sealing: SealingReport | null;
  /** CPU per answered request by process group (µs), median of the rounds; see `CpuPerRequest`. */
  cpu: Partial<Record<TargetName, CpuPerRequest>>;
}

/**
 * What one request cost in CPU, from /proc before and after each round (µs per request): the
 * server under test (its whole process tree), Postgres (every backend), and this load generator.
 * On a machine where all three share the cores, throughput moves with whatever else runs; CPU per
 * request does not, so it is what says whether a change made the gateway cheaper.
 */
export interface CpuPerRequest {
  server: number | null;
  postgres: number | null;
  generator: number;
  /** The whole machine's CPU per request by component (machine-cpu.ts). */
  machine: MachineCpu | null;
}

export function medianCpu(rounds: CpuPerRequest[]): CpuPerRequest {
  const of = (pick: (r: CpuPerRequest) => number | null): number | null => {
    const values = rounds.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : median(values);
  };
  // The machine's breakdown is one round's, whole (the round of median busy time): medians taken
  // group by group would not add up to any round.
  const machines = rounds.flatMap((r) => (r.machine === null ? [] : [r.machine])).sort((a, b) => a.busy - b.busy);
  return {
    server: of((r) => r.server),
    postgres: of((r) => r.postgres),
    generator: of((r) => r.generator) ?? Number.NaN,
    machine: machines[Math.floor(machines.length / 2)] ?? null,
  };
}

export function ratios(level: LevelReport): { gatewayToDurable: number | null; gatewayToReference: number | null } {
  const d = level.targets.gateway?.throughput;
  const b = level.targets.durable?.throughput;
  const c = level.targets.reference?.throughput;
  return {
    gatewayToDurable: d === undefined || b === undefined ? null : d / b,
    gatewayToReference: d === undefined || c === undefined ? null : d / c,
  };
}

const pct = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);

/** Sealing on (d) against off (e): throughput ratio and p99 of each; null without (e). */
export function sealingRatio(level: LevelReport): { throughput: number; p99On: number; p99Off: number } | null {
  const on = level.targets.gateway;
  const off = level.targets.gatewaySealOff;
  if (on === undefined || off === undefined) return null;
  return { throughput: on.throughput / off.throughput, p99On: on.p99, p99Off: off.p99 };
}

export function levelTable(level: LevelReport): string {
  const lines = [`concurrency ${level.concurrency}${' '.repeat(20)}req/s    p50 ms    p99 ms    errors  requests`];
  for (const name of Object.keys(targetLabels) as TargetName[]) {
    const s = level.targets[name];
    if (s === undefined) continue;
    lines.push(`${targetLabels[name].padEnd(31)}${n(s.throughput)} ${n(s.p50, 2)} ${n(s.p99, 2)} ${n(s.errors)} ${n(s.requests)}`);
  }
  const r = ratios(level);
  lines.push(`ratios: (d)/(b) ${pct(r.gatewayToDurable)}, (d)/(c) ${pct(r.gatewayToReference)}`);
  const sealing = sealingRatio(level);
  if (sealing !== null) {
    lines.push(
      `sealing on/off: (d)/(e) ${pct(sealing.throughput)} (cost ${pct(1 - sealing.throughput)}); p99 on ${sealing.p99On.toFixed(2)} ms vs off ${sealing.p99Off.toFixed(2)} ms`,
    );
  }
  if (level.sealing !== null) lines.push(...sealingLines(level.sealing));
  const cpuLines = (Object.keys(targetLabels) as TargetName[]).flatMap((name) => {
    const c = level.cpu[name];
    if (c === undefined) return [];
    const parts = [
      c.server === null ? null : `server ${c.server.toFixed(0)}`,
      c.postgres === null ? null : `postgres ${c.postgres.toFixed(0)}`,
      `load generator ${c.generator.toFixed(0)}`,
    ];
    const total = (c.server ?? 0) + (c.postgres ?? 0) + c.generator;
    const line = `  ${targetLabels[name].slice(0, 3)} ${parts.filter((part) => part !== null).join(' + ')} = ${total.toFixed(0)}`;
    return c.machine === null ? [line] : [line, `      whole machine ${formatMachineCpu(c.machine)}`];
  });
  if (cpuLines.length > 0) lines.push('CPU per request, µs (median of rounds; /proc user + system):', ...cpuLines);
  if (level.gatewayRss !== null) {
    const per = level.gatewayRss.perProcess.map((p) => p.mb.toFixed(0)).join(' + ');
    const own = level.gatewayRss.perProcess.map((p) => (p.privateMb === null ? '–' : p.privateMb.toFixed(0))).join(' + ');
    lines.push(
      `gateway RSS (peak sample under load): ${level.gatewayRss.totalMb.toFixed(0)} MB = ${per} MB (${level.gatewayRss.perProcess.length} processes); private ${own} MB (the rest: shared pages, mostly node's binary)`,
    );
  }
  const errorKinds = Object.entries(level.targets).flatMap(([name, s]) =>
    Object.entries(s.outcomes)
      .filter(([kind]) => kind !== 'ok' && kind !== 'accepted')
      .map(([kind, count]) => `${name} ${kind} ${count}`),
  );
  if (errorKinds.length > 0) lines.push(`errors by kind: ${errorKinds.join(', ')}`);
  return lines.join('\n');
}

/**
 * Issue 12's target: sealing costs ≤ 10 % of verification throughput, at the highest level (where
 * the machine is saturated, so the sealer's work can only come out of verifications). The p99 is
 * shown beside it; a sealer that did not keep up (lag at a round's end over 5 s) fails it too.
 */
export function sealingTargetChecks(levels: LevelReport[]): string[] {
  const top = levels.reduce<LevelReport | undefined>((best, l) => (best === undefined || l.concurrency > best.concurrency ? l : best), undefined);
  const ratio = top === undefined ? null : sealingRatio(top);
  if (top === undefined || ratio === null) return [];
  const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  const worstLag = Math.max(0, ...(top.sealing?.on.map((r) => r.lagMsAtEnd) ?? []));
  const kept = worstLag <= 5000 && (top.sealing?.on.every((r) => r.leavesSealed > 0) ?? false);
  return [
    `c=${top.concurrency} sealing costs ≤ 10 % of throughput: (d)/(e) ${pct(ratio.throughput)} → ${mark(ratio.throughput >= 0.9)}; p99 on ${ratio.p99On.toFixed(2)} ms vs off ${ratio.p99Off.toFixed(2)} ms`,
    `c=${top.concurrency} sealer kept up during (d) rounds (sealed in every round, lag ≤ 5 s at every round end; worst ${(worstLag / 1000).toFixed(1)} s) → ${mark(kept)}`,
  ];
}

/** The targets for a single Postgres (issue 9), met or not, from the c=2 and c=8 levels. */
export function targetChecks(levels: LevelReport[], isCluster: boolean): string[] {
  const lines: string[] = [];
  const at = (c: number): LevelReport | undefined => levels.find((l) => l.concurrency === c);
  const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  const c8 = at(8);
  const c2 = at(2);
  if (c8?.targets.gateway !== undefined) {
    const g = c8.targets.gateway;
    const r = ratios(c8);
    if (isCluster) {
      lines.push(`c=8 gateway ≥ 60 % of (b) through HAProxy: ${pct(r.gatewayToDurable)} → ${mark((r.gatewayToDurable ?? 0) >= 0.6)}`);
      lines.push(`c=8 gateway p99 ≤ 15 ms: ${g.p99.toFixed(2)} ms → ${mark(g.p99 <= 15)}`);
    } else {
      lines.push(`c=8 gateway ≥ 2,000/s: ${g.throughput.toFixed(0)}/s → ${mark(g.throughput >= 2000)}`);
      lines.push(`c=8 gateway ≥ 60 % of reference (c): ${pct(r.gatewayToReference)} → ${mark((r.gatewayToReference ?? 0) >= 0.6)}`);
      lines.push(`c=8 gateway p99 ≤ 10 ms: ${g.p99.toFixed(2)} ms → ${mark(g.p99 <= 10)}`);
    }
    if (c8.gatewayRss !== null) {
      const worst = Math.max(...c8.gatewayRss.perProcess.map((p) => p.mb));
      lines.push(`gateway RSS ≤ 150 MB per process under load: largest ${worst.toFixed(0)} MB → ${mark(worst <= 150)}`);
    }
  }
  if (c2?.targets.gateway !== undefined && !isCluster)
    lines.push(`c=2 gateway p99 ≤ 5 ms: ${c2.targets.gateway.p99.toFixed(2)} ms → ${mark(c2.targets.gateway.p99 <= 5)}`);
  return lines;
}
