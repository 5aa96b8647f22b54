// Issue 12, outage spool: "database unreachable, N audited events, gateway SIGKILLed mid-replay,
// restart: exactly N rows". The database is really gone — this test's own Postgres is stopped (its
// port refuses connections; the run's shared server is left alone) — while the real gateway refuses
// N requests of an application whose key it verified before the outage (each a 503
// DATABASE_UNAVAILABLE, audited as `request.rejected`: only the spool can take it). Postgres comes
// back, the gateway is SIGKILLed while it replays, and the restarted gateway leaves exactly N rows.
import { createApplication, createDatabase, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@holdfast/db';
import { createTestDatabase, findFreePort, type TestDatabase } from '@holdfast/db/testing';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayProcess } from './support/gateways';

/** Enough events for a replay of many batches: the kill is aimed at the middle, not at a lucky moment. */
const eventsToSpool = 600;
const replayBatch = 20;
const concurrency = 16;

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
  // /readyz answers 503 while the database is away; its details are there all the same.
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

/** The spooled refusals of one application since `from`, as the gateway left them on disk (one segment or several). */
async function spooledIds(dir: string, applicationId: string, from: Date): Promise<string[]> {
  const ids: string[] = [];
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.ndjson')).sort()) {
    for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
      if (line.length === 0) continue;
      const event = JSON.parse(line) as { eventId: string; applicationId: string | null; type: string; occurredAt: string };
      // A warm-up refusal before the outage may be spooled too (its write got 500 ms): not counted.
      const isInOutage = new Date(event.occurredAt).getTime() >= from.getTime();
      if (event.applicationId === applicationId && event.type === 'request.rejected' && isInOutage) ids.push(event.eventId);
    }
  }
  return ids;
}

/** Whether anything accepts a TCP connection on the port (the stopped database must not). */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

describe('[AUDIT_SPOOL_REPLAY] audit events from a database outage are spooled and replayed exactly once, across a SIGKILL mid-replay', () => {
  let dir: string;
  let spoolDir: string;
  let port: number;
  let server: EmbeddedPostgresHandle | null = null;
  let database: TestDatabase;
  /** The superuser's pool, for inspecting rows; its connections die with the server and come back with it. */
  let inspect: pg.Pool;
  let gateway: GatewayProcess | null = null;

  const startServer = async (): Promise<EmbeddedPostgresHandle> => {
    server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port });
    return server;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'holdfast-spool-pg-'));
    // As root, Postgres runs as the `postgres` user and must reach its data directory.
    await chmod(dir, 0o755);
    spoolDir = await mkdtemp(path.join(tmpdir(), 'holdfast-audit-spool-'));
    port = await findFreePort();
    // A server of its own (the run's shared one must stay up for the other files), kept on disk
    // across the stop and the start: the same data, the same port.
    const started = await startServer();
    database = await createTestDatabase(started.url);
    inspect = new pg.Pool({ connectionString: database.url, max: 2 });
    inspect.on('error', () => undefined);
  });
  afterAll(async () => {
    await gateway?.stop();
    await inspect.end();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(spoolDir, { recursive: true, force: true });
  });

  const countRows = async (ids: readonly string[]): Promise<number> => {
    const { rows } = await inspect.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE event_id = ANY($1::uuid[])', [ids]);
    return rows[0]?.n ?? 0;
  };

  const start = (pauseMs: number): Promise<GatewayProcess> =>
    startGateway({
      databaseUrl: database.gatewayUrl,
      gatewayId: 'gw-spool',
      env: {
        HOLDFAST_AUDIT_SPOOL_DIR: spoolDir,
        // Many small, paced batches: the replay lasts long enough for the test to see it begin and
        // kill the gateway well before it ends.
        HOLDFAST_AUDIT_SPOOL_REPLAY_BATCH: String(replayBatch),
        HOLDFAST_AUDIT_SPOOL_REPLAY_PAUSE_MS: String(pauseMs),
        // A refusal for want of a database comes after the retries that fit in the deadline.
        HOLDFAST_REQUEST_DEADLINE_MS: '300',
      },
    });

  it(`spools ${String(eventsToSpool)} refused requests while the database is gone, is killed mid-replay, and the restarted gateway leaves exactly ${String(eventsToSpool)} rows`, async () => {
    const setup = createDatabase({ url: database.url, poolMax: 1 });
    const { applicationId, apiKey } = await createApplication({ prisma: setup.prisma, name: 'spool-app' });
    await setup.close();
    gateway = await start(25);
    const gw = gateway;
    const headers = { authorization: `Bearer ${apiKey}` };
    let warmUpRefusals = 0;
    // The application's key is verified once while the database is up (an unknown attempt: refused, 404).
    // With a 300 ms request deadline that now bounds each try too (issue 14), a cold gateway's
    // first call (connections, prepared statements) may run out of it on a busy machine: retried.
    // Each such refusal is audited as well (written, not spooled: the database is up); the count
    // below takes only the outage's rows.
    let before = await fetch(`${gw.url}/v1/verify/status?attemptId=before-the-outage`, { headers });
    for (; before.status === 503 && warmUpRefusals < 20; warmUpRefusals += 1) {
      before = await fetch(`${gw.url}/v1/verify/status?attemptId=before-the-outage`, { headers });
    }
    expect(before.status).toBe(404);

    // The database is gone: its server stopped, its port refusing.
    const outageFrom = new Date();
    await server?.stop();
    server = null;
    expect(await isListening(port)).toBe(false);

    // N refusals of the known application: 503, each audited on its own, which only the spool can take.
    const codes = new Map<string, number>();
    let sent = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < eventsToSpool) {
          sent += 1;
          const response = await fetch(`${gw.url}/v1/verify/status?attemptId=outage-${String(sent)}`, { headers });
          const code = `${String(response.status)} ${((await response.json()) as { holdfastCode?: string }).holdfastCode ?? ''}`;
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
      }),
    );
    expect(Object.fromEntries(codes)).toEqual({ '503 DATABASE_UNAVAILABLE': eventsToSpool });
    // Each refusal was answered after its event was on disk (fdatasync'd).
    const ids = await spooledIds(spoolDir, applicationId, outageFrom);
    expect(ids).toHaveLength(eventsToSpool);
    expect(new Set(ids).size).toBe(eventsToSpool);
    const during = await spoolOf(gw);
    expect(during.events).toBeGreaterThanOrEqual(eventsToSpool);
    expect(during.oldestAgeMs).toBeGreaterThanOrEqual(0);
    expect(await metric(gw, 'holdfast_audit_spool_events')).toBeGreaterThanOrEqual(eventsToSpool);
    expect(await metric(gw, 'holdfast_audit_spool_bytes')).toBeGreaterThan(0);
    expect(await metric(gw, 'holdfast_audit_spool_dropped_total')).toBe(0);

    // The database is back (same data, same port). The gateway is killed once a few batches of
    // ours are in the table and many are not: watched in the table, not guessed with a sleep.
    const spooledUntil = Date.now();
    await startServer();
    await waitFor(
      'the replay to be under way',
      async () => {
        const n = await countRows(ids);
        expect(n).toBeLessThan(eventsToSpool - replayBatch * 4); // still well inside the replay
        return n >= replayBatch * 2;
      },
      30_000,
      10,
    );
    await gw.kill();
    gateway = null;
    // An INSERT the gateway had sent may still commit: the count is read once its sessions are gone.
    await waitFor(
      "the killed gateway's sessions to end",
      async () => {
        const { rows } = await inspect.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'holdfast-gw-spool%'");
        return rows[0]?.n === 0;
      },
      10_000,
    );
    const atKill = await countRows(ids);
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(eventsToSpool); // killed in the middle of the replay
    expect((await readdir(spoolDir)).filter((name) => name.endsWith('.ndjson')).length).toBeGreaterThan(0);

    // Restarted on the same spool: it sends the whole segment again; the unique event id absorbs the repeats.
    gateway = await start(0);
    const restarted = gateway;
    await waitFor('the spool to empty', async () => (await spoolOf(restarted)).events === 0, 30_000, 50);
    const { rows } = await inspect.query<{ event_id: string; occurred_at: Date; type: string; detail: { code?: string } }>(
      `SELECT event_id::text, occurred_at, type, detail FROM audit_events
        WHERE application_id = $1 AND type = 'request.rejected' AND detail->>'code' = 'DATABASE_UNAVAILABLE' AND occurred_at >= $2`,
      [applicationId, outageFrom],
    );
    // Exactly N rows, the spooled ones, none twice.
    expect(rows).toHaveLength(eventsToSpool);
    expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(ids));
    for (const row of rows) {
      expect(row).toMatchObject({ type: 'request.rejected', detail: { code: 'DATABASE_UNAVAILABLE' } });
      // When it happened, not when it was replayed.
      expect(row.occurred_at.getTime()).toBeLessThanOrEqual(spooledUntil);
    }
    expect((await readdir(spoolDir)).filter((name) => name.endsWith('.ndjson'))).toEqual([]);
    expect(await spoolOf(restarted)).toEqual({ events: 0, oldestAgeMs: null });
    expect(await metric(restarted, 'holdfast_audit_spool_events')).toBe(0);
    // The restarted gateway inserted at least what the killed one had not (the canary's own refused
    // logins were spooled beside ours); what it sent again — the segment the kill interrupted, not
    // the segments already deleted — came back as duplicates the event id absorbed.
    const replayed = await metric(restarted, 'holdfast_audit_spool_replayed_total');
    const duplicates = await metric(restarted, 'holdfast_audit_spool_replay_duplicates_total');
    expect(replayed - duplicates).toBeGreaterThanOrEqual(eventsToSpool - atKill);
    expect(await metric(restarted, 'holdfast_audit_spool_dropped_total')).toBe(0);
  });
});
