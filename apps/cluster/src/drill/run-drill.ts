import { parseKeyring } from '@holdfast/core';
import { createDatabase, migrateDatabase } from '@holdfast/db';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clusterLogin, clusterUp, components, restartGateway } from '../cluster';
import { postgresUrl, type ClusterConfig } from '../config';
import { replayAccepted, runLoad } from './load';
import { renderMarkdown, summarize, type DrillChecks, type DrillReportData } from './report';
import { forgetDead, runScenario, type Scenario } from './scenarios';
import { seedDrill } from './seed';

export interface DrillOptions {
  scenario: Scenario;
  ratePerSecond: number;
  durationMs: number;
  disruptAtMs: number;
  deadlineMs: number;
  users: number;
  targetRegion: string | null;
  hedgeAfterMs: number;
}

/** Runs one drill end to end and returns its report (also written as JSON + Markdown and stored in the database). */
export async function runDrill(config: ClusterConfig, options: DrillOptions, log: (line: string) => void): Promise<DrillReportData> {
  // The drill seeds and checks as the migrator (it owns the schema), never as the superuser.
  const migrator = await clusterLogin(config, 'migrator');
  const urls = config.regions.map((r) => postgresUrl(config, r, config.database, migrator));
  const db = createDatabase({ url: urls, poolMax: 4, applicationName: 'holdfast-drill' });
  try {
    await migrateDatabase({ pool: db.pool });
    const keys = JSON.parse(await readFile(config.keysFile, 'utf8')) as { keys: string; activeKeyId: string };
    log(`seeding ${options.users} drill users…`);
    const { apiKey, users } = await seedDrill({ db, keyring: parseKeyring(keys), scenario: options.scenario, totpUsers: options.users, recoveryUsers: 20 });
    const gateways = components(config)
      .filter((c) => c.kind === 'gateway')
      .map((g) => `http://127.0.0.1:${g.port}`);

    const startedAt = new Date();
    const t0 = performance.now();
    const sinceStart = (): number => performance.now() - t0;
    log(`load: ${options.ratePerSecond}/s for ${options.durationMs / 1000} s; ${options.scenario} at ${options.disruptAtMs / 1000} s`);
    const load = runLoad({
      gateways,
      apiKey,
      users,
      ratePerSecond: options.ratePerSecond,
      durationMs: options.durationMs,
      deadlineMs: options.deadlineMs,
      sinceStart,
      replayEvery: 5,
      hedgeAfterMs: options.hedgeAfterMs,
    });
    await new Promise((resolve) => setTimeout(resolve, options.disruptAtMs));
    const scenario = await runScenario({
      scenario: options.scenario,
      config,
      targetRegion: options.targetRegion,
      sinceStart,
      restartGateway: (component) => restartGateway(config, component),
    });
    for (const event of scenario.events) log(`${(event.atMs / 1000).toFixed(1)} s: ${event.what}`);
    const requests = await load;
    log(`load finished: ${requests.length} requests`);

    // Bring the killed parts back (they rewind and rejoin), then re-submit every accepted code.
    await forgetDead(config);
    const healStarted = sinceStart();
    await clusterUp(config, () => undefined);
    scenario.events.push(
      { atMs: Math.round(healStarted), what: 'healing: restarting killed components' },
      { atMs: Math.round(sinceStart()), what: 'cluster whole again (all gateways ready)' },
    );
    const replays = await replayAccepted({ gateways, apiKey, requests, deadlineMs: options.deadlineMs, sinceStart });
    const all = [...requests, ...replays];

    const checks = await checkDatabase(db, apiKey, all);
    const summary = summarize(requests);
    const isPassed = checks.lostAcknowledged.length === 0 && checks.replaysAccepted.length === 0 && checks.auditMissing.length === 0;
    const isPlanned = options.scenario === 'gateway-rolling-restart' || options.scenario === 'switchover';
    const targets = [
      {
        name: `SDK-observed success 100 % (deadline ${options.deadlineMs / 1000} s)`,
        isMet: summary.fresh.successRate === 1,
        value: `${(summary.fresh.successRate * 100).toFixed(2)} %`,
      },
      ...(options.scenario === 'primary-kill' || options.scenario === 'region-down'
        ? [{ name: 'write outage ≤ 12 s', isMet: summary.writeOutageMs <= 12_000, value: `${(summary.writeOutageMs / 1000).toFixed(2)} s` }]
        : []),
      ...(isPlanned ? [{ name: 'p99 ≤ 5 s', isMet: summary.latencyMs.p99 <= 5_000, value: `${summary.latencyMs.p99} ms` }] : []),
      { name: '0 acknowledged writes lost', isMet: checks.lostAcknowledged.length === 0, value: String(checks.lostAcknowledged.length) },
      { name: '0 replays accepted', isMet: checks.replaysAccepted.length === 0, value: String(checks.replaysAccepted.length) },
      { name: '0 audit events missing', isMet: checks.auditMissing.length === 0, value: String(checks.auditMissing.length) },
    ];
    const report: DrillReportData = {
      scenario: options.scenario,
      description: scenario.description,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      settings: {
        ratePerSecond: options.ratePerSecond,
        durationMs: options.durationMs,
        deadlineMs: options.deadlineMs,
        disruptAtMs: options.disruptAtMs,
        hedgeAfterMs: options.hedgeAfterMs,
        gateways,
      },
      events: scenario.events,
      ...summary,
      checks,
      isPassed,
      targets,
    };
    const markdown = renderMarkdown(report);
    const outDir = path.join(config.dir, '..', 'drills');
    await mkdir(outDir, { recursive: true });
    const base = path.join(outDir, `${report.startedAt.replace(/[:.]/g, '-')}-${options.scenario}`);
    await writeFile(`${base}.json`, JSON.stringify(report, null, 2));
    await writeFile(`${base}.md`, markdown);
    await db.prisma.drillReport.create({
      data: {
        scenario: report.scenario,
        startedAt,
        finishedAt: new Date(report.finishedAt),
        isPassed,
        summary: JSON.parse(JSON.stringify(report)) as object,
        markdown,
      },
    });
    log(`report: ${base}.md (also stored in drill_reports)`);
    return report;
  } finally {
    await db.close();
  }
}

/** The database's side of the story: every acknowledged success is there, audited; no replay was accepted. */
async function checkDatabase(db: ReturnType<typeof createDatabase>, apiKey: string, requests: Awaited<ReturnType<typeof runLoad>>): Promise<DrillChecks> {
  const keyId = apiKey.split('_')[1] ?? '';
  const app = await db.pool.query<{ application_id: string }>('SELECT application_id FROM api_keys WHERE id = $1', [keyId]);
  const applicationId = app.rows[0]?.application_id;
  if (applicationId === undefined) throw new Error('drill application vanished');
  const accepted = await db.pool.query<{ attempt_id: string }>(
    "SELECT attempt_id FROM verification_attempts WHERE application_id = $1 AND outcome = 'accepted'",
    [applicationId],
  );
  const audited = await db.pool.query<{ attempt_id: string }>("SELECT attempt_id FROM audit_events WHERE application_id = $1 AND type = 'verify.accepted'", [
    applicationId,
  ]);
  const acceptedInDb = new Set(accepted.rows.map((r) => r.attempt_id));
  const auditedInDb = new Set(audited.rows.map((r) => r.attempt_id));
  const acknowledged = requests.filter((r) => r.outcome === 'accepted').map((r) => r.attemptId);
  const replays = requests.filter((r) => r.kind === 'replay');
  return {
    acknowledged: acknowledged.length,
    lostAcknowledged: acknowledged.filter((id) => !acceptedInDb.has(id)),
    auditMissing: [...acceptedInDb].filter((id) => !auditedInDb.has(id)),
    replaysSent: replays.length,
    replaysAccepted: replays.filter((r) => r.outcome === 'accepted' || acceptedInDb.has(r.attemptId)).map((r) => r.attemptId),
    acceptedNotAcknowledged: [...acceptedInDb].filter((id) => !acknowledged.includes(id)).length,
  };
}
