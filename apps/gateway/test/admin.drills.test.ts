import { createApplication } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, dataOf, query, signInEnrollingTotp } from './admin.support';
import { startEnvironment } from './support/fixtures';

// The admin console's drills page (issue 13): admin.drills.list|get over drill_reports, whose
// summary column is apps/cluster's DrillReportData as JSON — written by whichever drill version
// ran, so old or partial summaries must read as nulls, never as an error.

interface DrillSummary {
  id: string;
  scenario: string;
  startedAt: string;
  finishedAt: string;
  isPassed: boolean;
  successRate: number | null;
  writeOutageMs: number | null;
  p99Ms: number | null;
  lost: number | null;
  replaysAccepted: number | null;
}
interface DrillDetail extends DrillSummary {
  description: string;
  targets: { name: string; isMet: boolean; value: string }[];
  timeline: { second: number; sent: number; accepted: number; p50: number; p99: number }[];
  events: { atMs: number; what: string }[];
  markdown: string;
}

/** A report shaped like apps/cluster/src/drill/report.ts DrillReportData (as run-drill.ts stores it). */
function drillReport(scenario: string, startedAt: Date): Record<string, unknown> {
  return {
    scenario,
    description: 'Kill the Patroni leader under load',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + 60_000).toISOString(),
    settings: { ratePerSecond: 20, durationMs: 60_000, deadlineMs: 10_000, disruptAtMs: 15_000, hedgeAfterMs: 0, gateways: ['http://127.0.0.1:4000'] },
    events: [
      { atMs: 15_000, what: 'killed the leader (pg-1)' },
      { atMs: 24_500, what: 'pg-2 promoted' },
    ],
    fresh: { sent: 1200, accepted: 1188, rejected: {}, errors: { timeout: 12 }, successRate: 0.99 },
    latencyMs: { p50: 40, p99: 4200, max: 9000 },
    writeOutageMs: 9400,
    timeline: [
      { second: 1, sent: 20, accepted: 19, p50: 41, p99: 3900, max: 4000 },
      { second: 0, sent: 20, accepted: 20, p50: 38, p99: 90, max: 120 },
    ],
    failures: [],
    checks: { acknowledged: 1188, lostAcknowledged: [], auditMissing: [], replaysSent: 5, replaysAccepted: [], acceptedNotAcknowledged: 0 },
    push: null,
    outage: null,
    audit: { ok: true },
    isPassed: true,
    targets: [
      { name: 'success ≥ 99 %', isMet: true, value: '99.00 %' },
      { name: 'p99 ≤ 5 s', isMet: true, value: '4200 ms' },
    ],
  };
}

describe('[ADMIN_DRILLS] admin console drills: reports from drill_reports', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let url = '';
  let auditor = '';
  const ids = { full: randomUUID(), partial: randomUUID(), odd: randomUUID() };
  const base = Date.parse('2026-12-01T10:00:00.000Z');

  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
    url = env.gateways[0]?.url ?? '';
    const insert = (id: string, scenario: string, at: number, isPassed: boolean, summary: string): Promise<unknown> =>
      env.db.pool.query(
        `INSERT INTO drill_reports (id, scenario, started_at, finished_at, is_passed, summary, markdown) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
        [id, scenario, new Date(at), new Date(at + 60_000), isPassed, summary, `# Drill: ${scenario}`],
      );
    await insert(ids.full, 'primary-kill', base + 3_600_000, true, JSON.stringify(drillReport('primary-kill', new Date(base + 3_600_000))));
    // An old report: before latency and checks were recorded, lost counted as a number, a target without a value.
    await insert(
      ids.partial,
      'region-loss',
      base,
      false,
      JSON.stringify({
        scenario: 'region-loss',
        fresh: { sent: 10 },
        checks: { lostAcknowledged: 2 },
        targets: [{ name: 'no loss', isMet: false }, 'junk'],
        timeline: [{ sent: 3 }],
      }),
    );
    // Not even an object.
    await insert(ids.odd, 'primary-kill', base - 3_600_000, false, '"interrupted"');
    auditor = (await signInEnrollingTotp(url, await createTestAdmin(env.db, 'auditor'))).session.sessionToken;
  }, 90_000);
  afterAll(async () => {
    await env.stop();
  });

  it('lists newest first with the summary numbers; old or partial summaries give nulls; pages and filters by scenario', async () => {
    const listed = dataOf<{ drills: DrillSummary[]; nextCursor: string | null }>(await query(url, 'admin.drills.list', auditor, {}));
    expect(listed.nextCursor).toBeNull();
    expect(listed.drills.map((d) => d.id)).toEqual([ids.full, ids.partial, ids.odd]);
    expect(listed.drills[0]).toEqual({
      id: ids.full,
      scenario: 'primary-kill',
      startedAt: new Date(base + 3_600_000).toISOString(),
      finishedAt: new Date(base + 3_660_000).toISOString(),
      isPassed: true,
      successRate: 0.99,
      writeOutageMs: 9400,
      p99Ms: 4200,
      lost: 0,
      replaysAccepted: 0,
    });
    expect(listed.drills[1]).toMatchObject({ isPassed: false, successRate: null, writeOutageMs: null, p99Ms: null, lost: 2, replaysAccepted: null });
    expect(listed.drills[2]).toMatchObject({ successRate: null, writeOutageMs: null, p99Ms: null, lost: null, replaysAccepted: null });

    const first = dataOf<{ drills: DrillSummary[]; nextCursor: string | null }>(await query(url, 'admin.drills.list', auditor, { limit: 2 }));
    expect(first.drills.map((d) => d.id)).toEqual([ids.full, ids.partial]);
    expect(first.nextCursor).not.toBeNull();
    const second = dataOf<{ drills: DrillSummary[]; nextCursor: string | null }>(
      await query(url, 'admin.drills.list', auditor, { limit: 2, cursor: first.nextCursor }),
    );
    expect([second.drills.map((d) => d.id), second.nextCursor]).toEqual([[ids.odd], null]);

    const kills = dataOf<{ drills: DrillSummary[] }>(await query(url, 'admin.drills.list', auditor, { scenario: 'primary-kill' }));
    expect(kills.drills.map((d) => d.id)).toEqual([ids.full, ids.odd]);
    expect((await query(url, 'admin.drills.list', auditor, { cursor: 'nonsense' })).code).toBe('BAD_REQUEST');
    // The cursor's id part must be a UUID: 36 dashes (which the old pattern let through to ::uuid, a 500) is BAD_REQUEST.
    expect((await query(url, 'admin.drills.list', auditor, { cursor: `2026-12-01T10:00:00.000Z_${'-'.repeat(36)}` })).code).toBe('BAD_REQUEST');
  });

  it('gets a report with its targets, per-second timeline (sorted), events and markdown; a partial one with empty lists', async () => {
    const full = dataOf<{ drill: DrillDetail | null }>(await query(url, 'admin.drills.get', auditor, { id: ids.full })).drill;
    expect(full).toMatchObject({
      id: ids.full,
      description: 'Kill the Patroni leader under load',
      targets: [
        { name: 'success ≥ 99 %', isMet: true, value: '99.00 %' },
        { name: 'p99 ≤ 5 s', isMet: true, value: '4200 ms' },
      ],
      timeline: [
        { second: 0, sent: 20, accepted: 20, p50: 38, p99: 90 },
        { second: 1, sent: 20, accepted: 19, p50: 41, p99: 3900 },
      ],
      events: [
        { atMs: 15_000, what: 'killed the leader (pg-1)' },
        { atMs: 24_500, what: 'pg-2 promoted' },
      ],
      markdown: '# Drill: primary-kill',
    });

    const partial = dataOf<{ drill: DrillDetail | null }>(await query(url, 'admin.drills.get', auditor, { id: ids.partial })).drill;
    expect(partial).toMatchObject({ description: '', targets: [{ name: 'no loss', isMet: false, value: '' }], timeline: [], events: [], lost: 2 });
    const odd = dataOf<{ drill: DrillDetail | null }>(await query(url, 'admin.drills.get', auditor, { id: ids.odd })).drill;
    expect(odd).toMatchObject({ description: '', targets: [], timeline: [], events: [], successRate: null });
    expect(dataOf<{ drill: DrillDetail | null }>(await query(url, 'admin.drills.get', auditor, { id: randomUUID() }))).toEqual({ drill: null });
  });

  it('helpdesk (no drills.read) is refused; an API key is not an admin credential', async () => {
    const helpdesk = (await signInEnrollingTotp(url, await createTestAdmin(env.db, 'helpdesk'))).session.sessionToken;
    const refused = await query(url, 'admin.drills.list', helpdesk, {});
    expect([refused.status, refused.code]).toEqual([403, 'ADMIN_FORBIDDEN']);
    const { apiKey } = await createApplication({ prisma: env.db.prisma, name: 'drills-key-app' });
    const keyed = await query(url, 'admin.drills.get', apiKey, { id: ids.full });
    expect([keyed.status, keyed.code]).toEqual([401, 'ADMIN_SESSION_INVALID']);
  });
});
