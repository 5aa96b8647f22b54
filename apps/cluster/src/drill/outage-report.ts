// The database-down part of the drill report (pure): what the gateways answered while no
// database ran, whether every spooled audit event reached the table exactly once, and how soon
// logins came back.
import type { OutageObservations } from './database-down';
import type { DrillRequest } from './load';
import type { SpoolMetrics } from './spool-check';

export interface OutageSection {
  /** ms since the drill started. */
  stopStartedAtMs: number;
  allDownAtMs: number;
  restartAtMs: number;
  backAtMs: number | null;
  /** No node running, until the restart. */
  downMs: number;
  /** Restart → first committed write through HAProxy. */
  restartToBackMs: number | null;
  gatewaysSurvived: boolean;
  probes: {
    sent: number;
    /** HTTP 503 with a holdfastCode (problem+json). */
    typed503: number;
    /** Any answer with a holdfastCode (a probe still waiting when the database returned gets the real answer, e.g. 404). */
    typed: number;
    /** No HTTP answer at all (reset, refused, timed out). */
    noAnswer: number;
    byAnswer: Record<string, number>;
    latencyMs: { p50: number; p99: number; max: number };
  };
  logins: {
    /** Fresh logins started after the stop began and before the database was back: none can succeed. */
    duringOutage: { sent: number; accepted: number; errors: Record<string, number> };
    /** Fresh logins started once the database was back. */
    afterBack: { sent: number; accepted: number; successRate: number };
    /**
     * First login acknowledged after the restart, measured from the moment a write committed (0
     * when a login waiting out the outage was answered before the drill's own probe saw that).
     */
    firstAcceptedAfterBackMs: number | null;
  };
  spool: {
    byGateway: { gateway: string; files: number; events: number; metricEvents: number | null }[];
    /** Distinct event ids found on disk just before the database returned. */
    spooled: number;
    arrived: number;
    missing: string[];
    twice: string[];
    /** Spool counters over the drill (end minus before the stop), summed over gateways. */
    dropped: number;
    replayed: number;
    replayDuplicates: number;
    /** Database back → every gateway's spool gauge at 0; null: not within the bound. */
    drainedAfterBackMs: number | null;
    drainBoundMs: number;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const countBy = (items: string[]): Record<string, number> => items.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});

const sumMetric = (list: { metrics: SpoolMetrics | null }[], pick: (m: SpoolMetrics) => number): number =>
  list.reduce((sum, g) => sum + (g.metrics === null ? 0 : pick(g.metrics)), 0);

export function summarizeOutage(input: {
  outage: OutageObservations;
  requests: DrillRequest[];
  comparison: { unique: number; missing: string[]; twice: string[] };
}): OutageSection {
  const { outage, requests, comparison } = input;
  const fresh = requests.filter((r) => r.kind === 'fresh');
  const backAtMs = outage.backAtMs;
  const during = fresh.filter((r) => r.startMs >= outage.stopStartedAtMs && (backAtMs === null || r.startMs < backAtMs));
  const afterBack = backAtMs === null ? [] : fresh.filter((r) => r.startMs >= backAtMs);
  const firstAccepted =
    backAtMs === null
      ? undefined
      : fresh
          .filter((r) => r.outcome === 'accepted' && r.endMs >= outage.restartAtMs)
          .map((r) => r.endMs)
          .sort((a, b) => a - b)[0];
  const probeLatencies = outage.probes.map((p) => p.ms).sort((a, b) => a - b);
  const end = outage.drain?.byGateway ?? [];
  return {
    stopStartedAtMs: outage.stopStartedAtMs,
    allDownAtMs: outage.allDownAtMs,
    restartAtMs: outage.restartAtMs,
    backAtMs,
    downMs: outage.restartAtMs - outage.allDownAtMs,
    restartToBackMs: backAtMs === null ? null : backAtMs - outage.restartAtMs,
    gatewaysSurvived: outage.gatewaysSurvived,
    probes: {
      sent: outage.probes.length,
      typed503: outage.probes.filter((p) => p.status === 503 && p.code !== null).length,
      typed: outage.probes.filter((p) => p.status !== null && p.code !== null).length,
      noAnswer: outage.probes.filter((p) => p.status === null).length,
      byAnswer: countBy(outage.probes.map((p) => (p.status === null ? `no answer (${p.error ?? '?'})` : `${p.status} ${p.code ?? '-'}`))),
      latencyMs: { p50: percentile(probeLatencies, 50), p99: percentile(probeLatencies, 99), max: probeLatencies.at(-1) ?? 0 },
    },
    logins: {
      duringOutage: {
        sent: during.length,
        accepted: during.filter((r) => r.outcome === 'accepted').length,
        errors: countBy(during.filter((r) => r.outcome !== 'accepted').map((r) => r.reason ?? r.outcome)),
      },
      afterBack: {
        sent: afterBack.length,
        accepted: afterBack.filter((r) => r.outcome === 'accepted').length,
        successRate: afterBack.length === 0 ? 0 : afterBack.filter((r) => r.outcome === 'accepted').length / afterBack.length,
      },
      firstAcceptedAfterBackMs: backAtMs === null || firstAccepted === undefined ? null : Math.max(0, Math.round(firstAccepted - backAtMs)),
    },
    spool: {
      byGateway: outage.spools.map((s) => ({ gateway: s.gateway, files: s.files, events: s.ids.length, metricEvents: s.metrics?.events ?? null })),
      spooled: comparison.unique,
      arrived: comparison.unique - comparison.missing.length,
      missing: comparison.missing,
      twice: comparison.twice,
      dropped: sumMetric(end, (m) => m.dropped) - sumMetric(outage.baseline, (m) => m.dropped),
      replayed: sumMetric(end, (m) => m.replayed) - sumMetric(outage.baseline, (m) => m.replayed),
      replayDuplicates: sumMetric(end, (m) => m.duplicates) - sumMetric(outage.baseline, (m) => m.duplicates),
      drainedAfterBackMs:
        outage.drain?.drainedAtMs === null || outage.drain === null || backAtMs === null ? null : Math.max(0, outage.drain.drainedAtMs - backAtMs),
      drainBoundMs: outage.drain?.boundMs ?? 0,
    },
  };
}

/** The outage's share of the verdict: the database came back and the spool's promise held. */
export function isOutagePassed(outage: OutageSection): boolean {
  const { spool } = outage;
  return outage.backAtMs !== null && spool.missing.length === 0 && spool.twice.length === 0 && spool.dropped === 0 && spool.drainedAfterBackMs !== null;
}

/** Bounds for the database-down targets. */
export const outageBounds = {
  /** A probe during the outage must be answered within the gateway's 12 s request deadline plus this much. */
  probeAnswerMs: 15_000,
  restartToBackMs: 30_000,
  firstLoginAfterBackMs: 10_000,
};

export function outageTargets(outage: OutageSection): { name: string; isMet: boolean; value: string }[] {
  const s = (ms: number | null): string => (ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`);
  const { spool, probes, logins } = outage;
  return [
    {
      name: `during the outage every gateway answered every direct probe with a typed error (503 while no database) within ${outageBounds.probeAnswerMs / 1000} s (no hang, no reset)`,
      isMet: probes.sent > 0 && probes.typed === probes.sent && probes.latencyMs.max <= outageBounds.probeAnswerMs,
      value: `${probes.typed}/${probes.sent} typed (${probes.typed503} × 503), max ${probes.latencyMs.max} ms ${JSON.stringify(probes.byAnswer)}`,
    },
    { name: 'no gateway process died', isMet: outage.gatewaysSurvived, value: outage.gatewaysSurvived ? 'all alive' : 'a gateway died' },
    {
      name: `database back (a write commits) ≤ ${outageBounds.restartToBackMs / 1000} s after the restart`,
      isMet: outage.restartToBackMs !== null && outage.restartToBackMs <= outageBounds.restartToBackMs,
      value: s(outage.restartToBackMs),
    },
    {
      name: `first login accepted ≤ ${outageBounds.firstLoginAfterBackMs / 1000} s after the database is back`,
      isMet: logins.firstAcceptedAfterBackMs !== null && logins.firstAcceptedAfterBackMs <= outageBounds.firstLoginAfterBackMs,
      value: s(logins.firstAcceptedAfterBackMs),
    },
    {
      name: 'logins started after the database is back: 100 % accepted',
      isMet: logins.afterBack.sent > 0 && logins.afterBack.successRate === 1,
      value: `${(logins.afterBack.successRate * 100).toFixed(2)} % (${logins.afterBack.accepted}/${logins.afterBack.sent})`,
    },
    {
      name: 'every event spooled during the outage is in audit_events after recovery',
      isMet: spool.missing.length === 0,
      value: `${spool.arrived}/${spool.spooled} (missing ${spool.missing.length})`,
    },
    { name: 'no spooled event stored twice (by event_id)', isMet: spool.twice.length === 0, value: String(spool.twice.length) },
    { name: '0 spooled events dropped', isMet: spool.dropped === 0, value: String(spool.dropped) },
    {
      name: `spool depth 0 on every gateway ≤ ${spool.drainBoundMs / 1000} s after the database is back`,
      isMet: spool.drainedAfterBackMs !== null,
      value: s(spool.drainedAfterBackMs),
    },
  ];
}

export function renderOutageMarkdown(outage: OutageSection): string[] {
  const s = (ms: number | null): string => (ms === null ? '—' : `${(ms / 1000).toFixed(2)} s`);
  const { probes, logins, spool } = outage;
  return [
    '## Database down',
    '',
    '| measure | value |',
    '|---|---|',
    `| stop began / no node running / restarted / write committed | ${s(outage.stopStartedAtMs)} / ${s(outage.allDownAtMs)} / ${s(outage.restartAtMs)} / ${s(outage.backAtMs)} |`,
    `| no database node at all for | ${s(outage.downMs)} (then ${s(outage.restartToBackMs)} until a write committed) |`,
    `| direct probes during the outage (typed 503 / other typed / no answer / sent) | ${probes.typed503} / ${probes.typed - probes.typed503} / ${probes.noAnswer} / ${probes.sent} ${JSON.stringify(probes.byAnswer)} |`,
    `| probe answer time p50 / p99 / max | ${probes.latencyMs.p50} / ${probes.latencyMs.p99} / ${probes.latencyMs.max} ms |`,
    `| logins started during the outage: sent / accepted (only one still waiting when it came back can be) | ${logins.duringOutage.sent} / ${logins.duringOutage.accepted} ${JSON.stringify(logins.duringOutage.errors)} |`,
    `| first login accepted after the database was back | ${s(logins.firstAcceptedAfterBackMs)} |`,
    `| logins started after it was back: accepted | ${(logins.afterBack.successRate * 100).toFixed(2)} % (${logins.afterBack.accepted}/${logins.afterBack.sent}) |`,
    `| spooled before recovery, by gateway (events on disk / gauge) | ${spool.byGateway.map((g) => `${g.gateway} ${g.events}/${g.metricEvents ?? '?'}`).join(', ')} |`,
    `| spooled events in audit_events after recovery | ${spool.arrived}/${spool.spooled} (missing ${spool.missing.length}, twice ${spool.twice.length}) |`,
    `| spool replayed / sent again (duplicates absorbed) / dropped during the drill | ${spool.replayed} / ${spool.replayDuplicates} / ${spool.dropped} |`,
    `| spools empty after the database was back | ${s(spool.drainedAfterBackMs)} (bound ${spool.drainBoundMs / 1000} s) |`,
    '',
    ...(spool.missing.length === 0 ? [] : [`Missing spooled events: ${spool.missing.slice(0, 20).join(', ')}${spool.missing.length > 20 ? ' …' : ''}`, '']),
  ];
}
