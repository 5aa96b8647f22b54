// The push part of the drill report: what the phone and the relying app were told, against what
// the database holds. Pure: the rows are read by push-checks.ts.
import type { PushTransactionStatus } from '@holdfast/core';
import type { PushLogin, PushResend } from './push-load';

export interface PushTransactionRow {
  id: string;
  applicationId: string;
  attemptId: string;
  status: PushTransactionStatus;
  reason: string | null;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
}

export interface PushAuditRow {
  type: string;
  applicationId: string | null;
  attemptId: string | null;
  /** detail.transactionId where the writer put it there. */
  transactionId: string | null;
  gatewayId: string;
  region: string;
}

export interface PushCheckInput {
  logins: PushLogin[];
  transactions: PushTransactionRow[];
  audits: PushAuditRow[];
  resends: PushResend[];
  /** decided_at (ISO) of each re-sent transaction just before the re-sends: a second transition would move it. */
  decidedBeforeResend: Record<string, string | null>;
}

export interface PushSection {
  logins: { prompt: number; late: number };
  /** `byRegion`: where the push.begun audit rows were written (the gateway that began each). */
  begin: { begun: number; byRegion: Record<string, number>; refusals: Record<string, number>; errors: Record<string, number> };
  /** What the database says about the drill's push transactions. */
  database: Record<PushTransactionStatus, number>;
  /** What the simulated devices were told. */
  answers: { sent: number; approved: number; denied: number; expired: number; refused: Record<string, number>; errors: number };
  /** Approvals whose answer was accepted by a gateway in another region than the one that wrote push.begun. */
  crossRegion: { approved: number; inAnotherRegion: number };
  /** Prompt logins the relying app saw approved, over all prompt logins started. */
  app: { approved: number; successRate: number; statuses: Record<string, number> };
  late: { sent: number; toldApproved: number; toldExpired: number; refused: number; errors: number; appSawExpired: number };
  /** Login start (pushBegin sent) → the app's pushStatus said approved; includes the 0.5–2 s human delay. */
  latencyMs: { p50: number; p99: number; max: number };
  resends: { sent: number; refused: number; sameOutcome: number; changed: number; errors: number };
  /** Prompt logins the app did not see approved, and where they stopped. */
  failures: { startMs: number; userId: string; transactionId: string | null; stage: 'begin' | 'answer' | 'status'; detail: string }[];
  checks: {
    /** Told `approved` (device or app) but not approved in the database. */
    approvalsLost: string[];
    /** More than one push.approved row, a re-send that changed the status, or a decided_at that moved. */
    approvedTwice: string[];
    /** Approved at or after expiry in the database, or a late answer told `approved`. */
    expiredApproved: string[];
    /** Approved in the database without its push.approved audit row (invariant 7). */
    auditMissing: string[];
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const countBy = (items: string[]): Record<string, number> => items.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
const unique = (items: string[]): string[] => [...new Set(items)].sort();

function failure(l: PushLogin): PushSection['failures'][number] {
  const base = { startMs: Math.round(l.startMs), userId: l.userId, transactionId: l.transactionId };
  if (l.transactionId === null) return { ...base, stage: 'begin', detail: l.beginError ?? 'not begun' };
  if (l.answer?.kind !== 'answered') return { ...base, stage: 'answer', detail: l.answer === null ? 'no answer sent' : `${l.answer.kind}: ${l.answer.detail}` };
  return {
    ...base,
    stage: 'status',
    detail: `told ${l.answer.status ?? '?'}; app saw ${l.appStatus ?? 'nothing'}${l.appError === null ? '' : ` (${l.appError})`}`,
  };
}

export function summarizePush(input: PushCheckInput): PushSection {
  const { logins, transactions, audits, resends } = input;
  const byId = new Map(transactions.map((t) => [t.id, t]));
  const byAttempt = new Map(transactions.map((t) => [`${t.applicationId} ${t.attemptId}`, t.id]));
  const auditTransaction = (a: PushAuditRow): string | null =>
    a.transactionId ?? (a.applicationId === null || a.attemptId === null ? null : (byAttempt.get(`${a.applicationId} ${a.attemptId}`) ?? null));
  const approvedAudits = countBy(audits.filter((a) => a.type === 'push.approved').flatMap((a) => auditTransaction(a) ?? []));
  const regionByTransaction = (type: string): Map<string, string> => {
    const regions = new Map<string, string>();
    for (const a of audits) {
      const id = a.type === type ? auditTransaction(a) : null;
      if (id !== null) regions.set(id, a.region);
    }
    return regions;
  };
  const begunRegion = regionByTransaction('push.begun');
  const approvedRegion = regionByTransaction('push.approved');

  const prompt = logins.filter((l) => l.kind === 'prompt');
  const late = logins.filter((l) => l.kind === 'late');
  const begun = logins.filter((l) => l.transactionId !== null);
  const answered = logins.flatMap((l) => (l.answer === null ? [] : [l.answer]));
  const toldApproved = logins.filter((l) => l.transactionId !== null && (l.answer?.status === 'approved' || l.appStatus === 'approved'));

  const approvalsLost = toldApproved.flatMap((l) => (l.transactionId !== null && byId.get(l.transactionId)?.status !== 'approved' ? [l.transactionId] : []));
  const approvedTwice = unique([
    ...Object.entries(approvedAudits).flatMap(([id, n]) => (n > 1 ? [id] : [])),
    ...resends.filter((r) => r.outcome === 'changed').map((r) => r.transactionId),
    ...Object.entries(input.decidedBeforeResend).flatMap(([id, before]) => ((byId.get(id)?.decidedAt?.toISOString() ?? null) !== before ? [id] : [])),
  ]);
  const expiredApproved = unique([
    ...transactions.filter((t) => t.status === 'approved' && t.decidedAt !== null && t.decidedAt.getTime() >= t.expiresAt.getTime()).map((t) => t.id),
    ...late.flatMap((l) => (l.transactionId !== null && (l.answer?.status === 'approved' || l.appStatus === 'approved') ? [l.transactionId] : [])),
  ]);
  const auditMissing = transactions.filter((t) => t.status === 'approved' && (approvedAudits[t.id] ?? 0) === 0).map((t) => t.id);

  const approvedInDb = transactions.filter((t) => t.status === 'approved');
  const latencies = prompt
    .filter((l) => l.appStatus === 'approved' && l.appStatusMs !== null)
    .map((l) => (l.appStatusMs ?? 0) - l.startMs)
    .sort((a, b) => a - b);
  const appApproved = prompt.filter((l) => l.appStatus === 'approved').length;
  return {
    logins: { prompt: prompt.length, late: late.length },
    begin: {
      begun: begun.length,
      byRegion: countBy([...begunRegion.values()]),
      refusals: countBy(logins.flatMap((l) => l.beginRefusals)),
      errors: countBy(logins.flatMap((l) => (l.beginError === null ? [] : [l.beginError.replace(/ \(.*$/su, '')]))),
    },
    database: {
      pending: transactions.filter((t) => t.status === 'pending').length,
      approved: approvedInDb.length,
      denied: transactions.filter((t) => t.status === 'denied').length,
      expired: transactions.filter((t) => t.status === 'expired').length,
    },
    answers: {
      sent: answered.length,
      approved: answered.filter((a) => a.status === 'approved').length,
      denied: answered.filter((a) => a.status === 'denied').length,
      expired: answered.filter((a) => a.status === 'expired').length,
      refused: countBy(answered.filter((a) => a.kind === 'refused').map((a) => a.detail)),
      errors: answered.filter((a) => a.kind === 'error').length,
    },
    crossRegion: {
      approved: approvedInDb.length,
      inAnotherRegion: approvedInDb.filter((t) => {
        const from = begunRegion.get(t.id);
        const to = approvedRegion.get(t.id);
        return from !== undefined && to !== undefined && from !== to;
      }).length,
    },
    app: {
      approved: appApproved,
      successRate: prompt.length === 0 ? 0 : appApproved / prompt.length,
      statuses: countBy(prompt.map((l) => l.appStatus ?? (l.transactionId === null ? 'not begun' : (l.appError ?? 'no status')))),
    },
    late: {
      sent: late.filter((l) => l.answer !== null).length,
      toldApproved: late.filter((l) => l.answer?.status === 'approved').length,
      toldExpired: late.filter((l) => l.answer?.status === 'expired').length,
      refused: late.filter((l) => l.answer?.kind === 'refused').length,
      errors: late.filter((l) => l.answer?.kind === 'error').length,
      appSawExpired: late.filter((l) => l.appStatus === 'expired').length,
    },
    latencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies.at(-1) ?? 0) },
    resends: {
      sent: resends.length,
      refused: resends.filter((r) => r.outcome === 'refused').length,
      sameOutcome: resends.filter((r) => r.outcome === 'same-outcome').length,
      changed: resends.filter((r) => r.outcome === 'changed').length,
      errors: resends.filter((r) => r.outcome === 'error').length,
    },
    failures: prompt.filter((l) => l.appStatus !== 'approved').map((l) => failure(l)),
    checks: { approvalsLost: unique(approvalsLost), approvedTwice, expiredApproved, auditMissing },
  };
}

/** True when the push invariants held: the drill fails otherwise (as it does for lost writes and replays). */
export function isPushPassed(push: PushSection): boolean {
  const c = push.checks;
  return c.approvalsLost.length === 0 && c.approvedTwice.length === 0 && c.expiredApproved.length === 0 && c.auditMissing.length === 0;
}

export function renderPushMarkdown(push: PushSection): string[] {
  const json = (x: Record<string, number>): string => (Object.keys(x).length === 0 ? '—' : JSON.stringify(x));
  return [
    '## Push approvals',
    '',
    `Push logins in the mix: ${push.logins.prompt} (begin through the SDK, approve on another region's gateway when possible, the app long-polls); late approvals: ${push.logins.late} (15 s TTL, approved at 16–17 s).`,
    '',
    '| measure | value |',
    '|---|---|',
    `| begun (by the region that wrote push.begun) | ${push.begin.begun} ${json(push.begin.byRegion)} |`,
    `| begin refused (user skipped) / failed | ${json(push.begin.refusals)} / ${json(push.begin.errors)} |`,
    `| in the database: approved / denied / expired / pending | ${push.database.approved} / ${push.database.denied} / ${push.database.expired} / ${push.database.pending} |`,
    `| device answers sent / told approved / told expired / refused / no answer | ${push.answers.sent} / ${push.answers.approved} / ${push.answers.expired} / ${json(push.answers.refused)} / ${push.answers.errors} |`,
    `| approved in another region than begun | ${push.crossRegion.inAnotherRegion} of ${push.crossRegion.approved} |`,
    `| relying app saw approved (prompt logins) | ${(push.app.successRate * 100).toFixed(2)} % (${push.app.approved}/${push.logins.prompt}) ${json(push.app.statuses)} |`,
    `| begin → approved seen by the app p50 / p99 / max | ${push.latencyMs.p50} / ${push.latencyMs.p99} / ${push.latencyMs.max} ms |`,
    `| late answers: told approved / expired / refused / no answer; app saw expired | ${push.late.toldApproved} / ${push.late.toldExpired} / ${push.late.refused} / ${push.late.errors}; ${push.late.appSawExpired} of ${push.logins.late} |`,
    `| approvals re-sent after the run: refused / same outcome / changed / no answer | ${push.resends.refused} / ${push.resends.sameOutcome} / ${push.resends.changed} / ${push.resends.errors} (of ${push.resends.sent}) |`,
    `| **approvals lost** | ${push.checks.approvalsLost.length} |`,
    `| **approvals accepted twice** | ${push.checks.approvedTwice.length} |`,
    `| **expired transactions approved** | ${push.checks.expiredApproved.length} |`,
    `| approvals without their push.approved audit row | ${push.checks.auditMissing.length} |`,
    '',
    ...(push.failures.length === 0
      ? []
      : [
          '### Push logins the app did not see approved',
          '',
          ...push.failures.map((f) => `- ${(f.startMs / 1000).toFixed(2)} s ${f.userId}: ${f.stage} — ${f.detail}`),
          '',
        ]),
  ];
}
