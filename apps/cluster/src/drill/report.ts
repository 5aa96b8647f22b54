// Turning the recorded requests and the database's view into the drill report.
import { auditVerifyLine, type AuditSection } from './audit-check';
import type { DrillRequest } from './load';
import { renderLiveMapMarkdown, type LiveMapSection } from './map-check';
import { renderOutageMarkdown, type OutageSection } from './outage-report';
import { renderPartitionMarkdown, type PartitionSection } from './partition';
import { renderPushMarkdown, type PushSection } from './push-report';

export interface DrillChecks {
  acknowledged: number;
  lostAcknowledged: string[];
  auditMissing: string[];
  replaysSent: number;
  /** Accepted replays that single use forbids (a drill fails on any). */
  replaysAccepted: string[];
  /** Accepted replays whose code is also the code of a later step the user had not used (`replay-check.ts`): correct, counted apart. */
  replaysOfUnusedStep?: string[];
  /** Accepted in the database but never acknowledged to the client (in-doubt commits). */
  acceptedNotAcknowledged: number;
}

export interface DrillReportData {
  scenario: string;
  description: string;
  startedAt: string;
  finishedAt: string;
  settings: { ratePerSecond: number; durationMs: number; deadlineMs: number; disruptAtMs: number; hedgeAfterMs: number; gateways: string[] };
  events: { atMs: number; what: string }[];
  fresh: { sent: number; accepted: number; rejected: Record<string, number>; errors: Record<string, number>; successRate: number };
  latencyMs: { p50: number; p99: number; max: number };
  writeOutageMs: number;
  /** The gap the write outage measures: the acknowledgement before it and the one that ended it (ms since the drill started). */
  writeOutageWindow?: { fromMs: number; toMs: number } | null;
  timeline: { second: number; sent: number; accepted: number; p50: number; p99: number; max: number }[];
  failures: { startMs: number; endMs: number; reason: string | null; detail: string | null }[];
  checks: DrillChecks;
  /** Push logins in the mix (null when the drill ran without them). */
  push: PushSection | null;
  /** database-down only: the outage, the spools, logins coming back. */
  outage: OutageSection | null;
  /** The sealed audit log after the drill: every row of it sealed, then `holdfast audit verify`. */
  audit: AuditSection;
  /** primary-kill / region-down: what the admin console's live failover map showed, and when (issue 13). */
  liveMap?: LiveMapSection | null;
  /** partition-*: the cut, the leader, the rejoin, and what a client inside the cut-off region got (issue 14). */
  partition?: PartitionSection | null;
  isPassed: boolean;
  targets: { name: string; isMet: boolean; value: string }[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const countBy = (items: string[]): Record<string, number> => items.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});

export function summarize(
  requests: DrillRequest[],
): Pick<DrillReportData, 'fresh' | 'latencyMs' | 'writeOutageMs' | 'writeOutageWindow' | 'timeline' | 'failures'> {
  const fresh = requests.filter((r) => r.kind === 'fresh');
  const accepted = fresh.filter((r) => r.outcome === 'accepted');
  const latencies = fresh.map((r) => r.endMs - r.startMs).sort((a, b) => a - b);
  // Write outage: the longest time between two consecutive acknowledged logins.
  const acks = accepted.map((r) => r.endMs).sort((a, b) => a - b);
  let writeOutageMs = 0;
  let writeOutageWindow: { fromMs: number; toMs: number } | null = null;
  for (let i = 1; i < acks.length; i += 1) {
    const from = acks[i - 1] ?? 0;
    const to = acks[i] ?? 0;
    if (to - from > writeOutageMs) {
      writeOutageMs = to - from;
      writeOutageWindow = { fromMs: Math.round(from), toMs: Math.round(to) };
    }
  }
  const seconds = new Map<number, DrillRequest[]>();
  for (const r of fresh) {
    const second = Math.floor(r.startMs / 1000);
    seconds.set(second, [...(seconds.get(second) ?? []), r]);
  }
  const timeline = [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, rs]) => {
      const ls = rs.map((r) => r.endMs - r.startMs).sort((a, b) => a - b);
      return {
        second,
        sent: rs.length,
        accepted: rs.filter((r) => r.outcome === 'accepted').length,
        p50: Math.round(percentile(ls, 50)),
        p99: Math.round(percentile(ls, 99)),
        max: Math.round(ls.at(-1) ?? 0),
      };
    });
  return {
    fresh: {
      sent: fresh.length,
      accepted: accepted.length,
      rejected: countBy(fresh.filter((r) => r.outcome === 'rejected').map((r) => r.reason ?? 'unknown')),
      errors: countBy(fresh.filter((r) => r.outcome === 'error').map((r) => r.reason ?? 'unknown')),
      successRate: fresh.length === 0 ? 0 : accepted.length / fresh.length,
    },
    latencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies.at(-1) ?? 0) },
    writeOutageMs: Math.round(writeOutageMs),
    writeOutageWindow,
    timeline,
    failures: fresh
      .filter((r) => r.outcome !== 'accepted')
      .map((r) => ({ startMs: Math.round(r.startMs), endMs: Math.round(r.endMs), reason: r.reason, detail: r.detail ?? null })),
  };
}

export function renderMarkdown(report: DrillReportData): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  const lines = [
    `# Drill: ${report.scenario} — ${report.isPassed ? 'PASSED' : 'FAILED'}`,
    '',
    `${report.description}. Started ${report.startedAt}, finished ${report.finishedAt}.`,
    `Load: ${report.settings.ratePerSecond} verifications/s for ${report.settings.durationMs / 1000} s through the SDK (deadline ${report.settings.deadlineMs / 1000} s per call, ${report.settings.hedgeAfterMs > 0 ? `hedging after ${report.settings.hedgeAfterMs / 1000} s` : 'no hedging'}, gateways ${report.settings.gateways.join(', ')}); disruption at ${report.settings.disruptAtMs / 1000} s.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| SDK-observed success | ${pct(report.fresh.successRate)} (${report.fresh.accepted}/${report.fresh.sent}) |`,
    `| rejected | ${JSON.stringify(report.fresh.rejected)} |`,
    `| errors | ${JSON.stringify(report.fresh.errors)} |`,
    `| latency p50 / p99 / max | ${report.latencyMs.p50} / ${report.latencyMs.p99} / ${report.latencyMs.max} ms |`,
    `| write outage (longest gap between acknowledged logins) | ${(report.writeOutageMs / 1000).toFixed(2)} s |`,
    `| acknowledged successes | ${report.checks.acknowledged} |`,
    `| acknowledged successes missing from the database | ${report.checks.lostAcknowledged.length} |`,
    `| replays sent / accepted | ${report.checks.replaysSent} / ${report.checks.replaysAccepted.length}${(report.checks.replaysOfUnusedStep?.length ?? 0) > 0 ? ` (+ ${report.checks.replaysOfUnusedStep?.length ?? 0} accepted as the same code of a later, unused step)` : ''} |`,
    `| audit events missing | ${report.checks.auditMissing.length} |`,
    `| accepted in the database, never acknowledged (in doubt) | ${report.checks.acceptedNotAcknowledged} |`,
    '',
    auditVerifyLine(report.audit),
    '',
    '## Targets',
    '',
    ...report.targets.map((t) => `- ${t.isMet ? '✅' : '❌'} ${t.name}: ${t.value}`),
    '',
    ...(report.outage === null ? [] : renderOutageMarkdown(report.outage)),
    ...(report.push === null ? [] : renderPushMarkdown(report.push)),
    ...(report.liveMap == null ? [] : renderLiveMapMarkdown(report.liveMap)),
    ...(report.partition == null ? [] : renderPartitionMarkdown(report.partition)),
    '## Events',
    '',
    ...report.events.map((e) => `- ${(e.atMs / 1000).toFixed(2)} s — ${e.what}`),
    '',
    '## Timeline (by second the request started)',
    '',
    '| s | sent | accepted | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|',
    ...report.timeline.map((t) => `| ${t.second} | ${t.sent} | ${t.accepted} | ${t.p50} | ${t.p99} | ${t.max} |`),
    '',
  ];
  return lines.join('\n');
}
