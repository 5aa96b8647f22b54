// Issue 12, outage spool: audit events that happen while no database primary accepts writes are
// kept on the gateway's disk and replayed when one does — exactly once, even when the gateway is
// SIGKILLed in the middle of the replay and restarted on the same spool.
import { createApplication } from '@holdfast/db';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayProcess } from './support/gateways';
import { startEnvironment } from './support/fixtures';

const eventsToSpool = 10;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

interface ReadyBody {
  auditSpool?: { events: number; oldestAgeMs: number | null };
}

async function spoolOf(gw: GatewayProcess): Promise<{ events: number; oldestAgeMs: number | null }> {
  const body = (await (await fetch(`${gw.url}/readyz`)).json()) as ReadyBody;
  if (body.auditSpool === undefined) throw new Error('/readyz has no auditSpool details');
  return body.auditSpool;
}

async function metric(gw: GatewayProcess, name: string): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const match = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text);
  if (match?.[1] === undefined) throw new Error(`metric ${name} missing`);
  return Number(match[1]);
}

/** The spooled events of one application, as the gateway left them on disk. */
async function spooledIds(dir: string, applicationId: string): Promise<string[]> {
  const ids: string[] = [];
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.ndjson')).sort()) {
    for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
      if (line.length === 0) continue;
      const event = JSON.parse(line) as { eventId: string; applicationId: string | null; type: string };
      if (event.applicationId === applicationId && event.type === 'request.rejected') ids.push(event.eventId);
    }
  }
  return ids;
}

describe('[AUDIT_SPOOL_REPLAY] audit events from a database outage are spooled and replayed exactly once, across a SIGKILL mid-replay', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let spoolDir: string;
  let gateway: GatewayProcess | null = null;
  let databaseName: string;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 0 });
    spoolDir = await mkdtemp(path.join(tmpdir(), 'holdfast-audit-spool-'));
    databaseName = new URL(env.databaseUrl).pathname.slice(1);
  });
  afterAll(async () => {
    await gateway?.stop();
    await env.stop();
    await rm(spoolDir, { recursive: true, force: true });
  });

  /**
   * What a gateway meets while Patroni fails over and HAProxy still routes to a standby: reads
   * answer, every write fails with 25006. Existing sessions are ended so new ones take the setting.
   */
  async function setWritable(isWritable: boolean): Promise<void> {
    await env.db.pool.query(
      isWritable
        ? `ALTER ROLE holdfast_gateway IN DATABASE "${databaseName}" RESET default_transaction_read_only`
        : `ALTER ROLE holdfast_gateway IN DATABASE "${databaseName}" SET default_transaction_read_only = on`,
    );
    await env.db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND usename = 'holdfast_gateway'`);
  }

  const countRows = async (ids: readonly string[]): Promise<number> => {
    const { rows } = await env.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE event_id = ANY($1::uuid[])', [ids]);
    return rows[0]?.n ?? 0;
  };

  const start = (pauseMs: number): Promise<GatewayProcess> =>
    startGateway({
      databaseUrl: env.gatewayDatabaseUrl,
      gatewayId: 'gw-spool',
      env: {
        HOLDFAST_AUDIT_SPOOL_DIR: spoolDir,
        // Small, paced batches: the replay takes seconds, so the test can kill the gateway inside it.
        HOLDFAST_AUDIT_SPOOL_REPLAY_BATCH: '2',
        HOLDFAST_AUDIT_SPOOL_REPLAY_PAUSE_MS: String(pauseMs),
        HOLDFAST_REQUEST_DEADLINE_MS: '2000',
      },
    });

  it(`spools ${String(eventsToSpool)} refused requests, is killed mid-replay, and the restarted gateway leaves exactly ${String(eventsToSpool)} rows`, async () => {
    const { applicationId, apiKey } = await createApplication({ prisma: env.db.prisma, name: 'spool-app' });
    gateway = await start(400);
    const gw = gateway;

    await setWritable(false);
    // Refused requests (an attempt id nobody used): each is audited on its own, which only the spool can take now.
    const attemptIds = Array.from({ length: eventsToSpool }, (_, i) => `spool-attempt-${String(i)}-${Math.random().toString(36).slice(2, 10)}`);
    for (const attemptId of attemptIds) {
      const response = await fetch(`${gw.url}/v1/verify/status?attemptId=${attemptId}`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(((await response.json()) as { holdfastCode?: string }).holdfastCode).toBe('ATTEMPT_NOT_FOUND');
    }
    // Each refusal was answered after its event was on disk (fdatasync'd).
    const ids = await spooledIds(spoolDir, applicationId);
    expect(ids).toHaveLength(eventsToSpool);
    expect(new Set(ids).size).toBe(eventsToSpool);
    expect(await countRows(ids)).toBe(0);
    const during = await spoolOf(gw);
    expect(during.events).toBeGreaterThanOrEqual(eventsToSpool);
    expect(during.oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(await metric(gw, 'holdfast_audit_spool_events')).toBeGreaterThanOrEqual(eventsToSpool);
    expect(await metric(gw, 'holdfast_audit_spool_bytes')).toBeGreaterThan(0);
    expect(await metric(gw, 'holdfast_audit_spool_dropped_total')).toBe(0);

    // The primary is back; as soon as the first batch of ours is in the table, the gateway dies.
    const spooledUntil = Date.now();
    await setWritable(true);
    const before = await waitFor('the first replayed batch', async () => {
      const n = await countRows(ids);
      return n > 0 ? n : null;
    });
    await gw.kill();
    gateway = null;
    const atKill = await countRows(ids);
    expect(atKill).toBeGreaterThanOrEqual(before);
    expect(atKill).toBeLessThan(eventsToSpool); // killed in the middle of the replay
    expect((await readdir(spoolDir)).filter((name) => name.endsWith('.ndjson')).length).toBeGreaterThan(0);

    // Restarted on the same spool: it sends the whole segment again; the unique event id absorbs the repeats.
    gateway = await start(0);
    const restarted = gateway;
    await waitFor('the spool to empty', async () => (await spoolOf(restarted)).events === 0);
    const { rows } = await env.db.pool.query<{ event_id: string; occurred_at: Date; type: string; detail: { code?: string } }>(
      'SELECT event_id::text, occurred_at, type, detail FROM audit_events WHERE event_id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows).toHaveLength(eventsToSpool);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(ids));
    for (const row of rows) {
      expect(row).toMatchObject({ type: 'request.rejected', detail: { code: 'ATTEMPT_NOT_FOUND' } });
      // When it happened, not when it was replayed.
      expect(row.occurred_at.getTime()).toBeLessThanOrEqual(spooledUntil);
    }
    expect((await readdir(spoolDir)).filter((name) => name.endsWith('.ndjson'))).toEqual([]);
    expect(await spoolOf(restarted)).toEqual({ events: 0, oldestAgeMs: null });
    expect(await metric(restarted, 'holdfast_audit_spool_events')).toBe(0);
    expect(await metric(restarted, 'holdfast_audit_spool_replayed_total')).toBeGreaterThanOrEqual(eventsToSpool);
    // What the killed gateway had inserted came back as duplicates, and nothing was lost.
    expect(await metric(restarted, 'holdfast_audit_spool_replay_duplicates_total')).toBeGreaterThanOrEqual(atKill);
    expect(await metric(restarted, 'holdfast_audit_spool_dropped_total')).toBe(0);
  });
});
