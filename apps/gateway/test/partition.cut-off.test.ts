// Issue 14, "How we will know": a gateway cut off from the primary answers 503 within its deadline
// and never acknowledges a write that the majority side did not keep. Real parts only: a real
// gateway process (`node dist/main.js`) on a Postgres of its own that can be told to require a
// synchronous standby that never acknowledges (the old primary on the cut-off side, whose standby
// is across the partition), reached through a TCP proxy this test blackholes (packets vanish: no
// socket is closed, no connection refused — only the gateway's own deadline can notice).
import { createDatabase, type Database } from '@holdfast/db';
import {
  createTestDatabase,
  startBlackholeProxy,
  startSilentStandbyPostgres,
  type BlackholeProxy,
  type SilentStandbyPostgres,
  type TestDatabase,
} from '@holdfast/db/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, wrongCodes } from './support/fixtures';
import { startGateway, type GatewayProcess } from './support/gateways';

/** The gateway's request deadline (HOLDFAST_REQUEST_DEADLINE_MS), short so the test is quick. */
const deadlineMs = 2_000;
/** Room past the deadline for the last try's own end, the answer and a loaded 2-core machine. */
const slackMs = 1_500;
/** How long the test waits for an answer at all: a request still unanswered then has hung. */
const hangMs = deadlineMs + 20_000;

interface Reply {
  /** 0: no answer within `hangMs` (the gateway hung). */
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

async function post(gateway: GatewayProcess, apiKey: string, path: string, body: Record<string, unknown>): Promise<Reply> {
  const started = performance.now();
  try {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(hangMs),
    });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, body: json, ms: performance.now() - started };
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') return { status: 0, body: { hung: true }, ms: performance.now() - started };
    throw error;
  }
}

/** A 503 with the typed code, answered within the deadline plus slack (not a hang, not a 200). */
function expectUnavailableInTime(reply: Reply): void {
  expect(reply.status, JSON.stringify(reply)).toBe(503);
  expect(reply.body).toMatchObject({ status: 503, holdfastCode: 'DATABASE_UNAVAILABLE' });
  expect(reply.ms, `answered after ${Math.round(reply.ms)} ms`).toBeLessThanOrEqual(deadlineMs + slackMs);
}

describe('[PARTITION_CUT_OFF] a gateway cut off from the primary answers 503 within its deadline and never acknowledges a write the majority side did not keep', () => {
  let server: SilentStandbyPostgres;
  let database: TestDatabase;
  let proxy: BlackholeProxy;
  /** The superuser, straight to the server (never through the proxy): inspects rows. */
  let db: Database;
  let gateway: GatewayProcess;
  let user: Awaited<ReturnType<typeof enrollTotpUser>>;

  beforeAll(async () => {
    server = await startSilentStandbyPostgres();
    database = await createTestDatabase(server.url);
    const target = new URL(server.url);
    proxy = await startBlackholeProxy({ host: target.hostname, port: Number(target.port) });
    db = createDatabase({ url: database.url, poolMax: 2 });
    gateway = await startGateway({
      databaseUrl: proxy.through(database.gatewayUrl),
      gatewayId: 'gw-cut-off',
      env: { HOLDFAST_REQUEST_DEADLINE_MS: String(deadlineMs) },
    });
    user = await enrollTotpUser({ db, gatewayUrl: gateway.url, withRecoveryCodes: true });
    // While connected: the application's key and lockout policy are known to the gateway and its
    // pool holds open connections — the state a partition finds a serving gateway in.
    const [wrong] = await wrongCodes(user.secret, 1);
    const warm = await post(gateway, user.apiKey, '/v1/verify/totp', { userId: user.userId, attemptId: `warm-${randomUUID()}`, code: wrong });
    expect(warm.status, JSON.stringify(warm)).toBe(200);
  });
  afterAll(async () => {
    proxy.heal();
    await server.requireStandby(false);
    await gateway.stop();
    await proxy.stop();
    await db.close();
    await database.drop();
    await server.stop();
  });

  const attemptRows = async (attemptId: string): Promise<{ outcome: string }[]> =>
    (await db.pool.query<{ outcome: string }>('SELECT outcome::text AS outcome FROM verification_attempts WHERE attempt_id = $1', [attemptId])).rows;

  /** Backends whose commit is waiting for the synchronous standby. */
  const syncRepWaiters = async (): Promise<number> =>
    (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'SyncRep'")).rows[0]?.n ?? 0;

  const cutOffAttempt = `cut-off-${randomUUID()}`;
  let cutOffCode = '';

  it('blackholed link: verify.totp answers 503 DATABASE_UNAVAILABLE within the deadline instead of hanging', async () => {
    cutOffCode = (await freshCode(user.secret, user.confirmedStep)).code;
    proxy.blackhole();
    const reply = await post(gateway, user.apiKey, '/v1/verify/totp', { userId: user.userId, attemptId: cutOffAttempt, code: cutOffCode });
    expectUnavailableInTime(reply);
    // A second request finds the pool in whatever state the first left it: still bounded.
    const again = await post(gateway, user.apiKey, '/v1/verify/totp', { userId: user.userId, attemptId: cutOffAttempt, code: cutOffCode });
    expectUnavailableInTime(again);
  });

  it('link healed: the same gateway process serves again, and the cut-off attempt is decided once', async () => {
    const pid = gateway.pid;
    proxy.heal();
    // The retry of the attempt answered 503 above: accepted exactly once — fresh, or (if the
    // statement held in the link reached the server after the heal) the recorded outcome.
    const retry = await post(gateway, user.apiKey, '/v1/verify/totp', { userId: user.userId, attemptId: cutOffAttempt, code: cutOffCode });
    expect(retry.status, JSON.stringify(retry)).toBe(200);
    expect(retry.body).toMatchObject({ outcome: 'accepted' });
    expect(await attemptRows(cutOffAttempt)).toEqual([{ outcome: 'accepted' }]);
    const code = user.recoveryCodes[0];
    if (code === undefined) throw new Error('recovery codes expected');
    const next = await post(gateway, user.apiKey, '/v1/verify/recovery-code', { userId: user.userId, attemptId: `healed-${randomUUID()}`, code });
    expect(next.status, JSON.stringify(next)).toBe(200);
    expect(next.body).toMatchObject({ outcome: 'accepted', replayed: false });
    expect(gateway.pid).toBe(pid);
  });

  it('standby across the partition: never 200 while it is silent, though the attempt is committed locally; the retry answers `replayed` once it acknowledges', async () => {
    const code = user.recoveryCodes[1];
    if (code === undefined) throw new Error('recovery codes expected');
    const attemptId = `silent-standby-${randomUUID()}`;
    const request = { userId: user.userId, attemptId, code };
    await server.requireStandby(true);

    // The write reaches this primary and its commit waits there for the standby (statement_timeout
    // does not end that wait): the gateway gives up at its deadline and must not acknowledge it.
    const first = await post(gateway, user.apiKey, '/v1/verify/recovery-code', request);
    expectUnavailableInTime(first);
    // The write IS flushed on this primary, waiting for the standby (invisible to others until
    // then): what a failover could lose.
    expect(await syncRepWaiters()).toBeGreaterThan(0);
    expect(await attemptRows(attemptId)).toEqual([]);

    // The retry meets the waiting write (its attempt id's row, not yet visible: the unique key
    // makes the retry wait for it) — or, had the wait been cancelled, the recorded row, which the
    // replication barrier holds back. The standby still does not have it: no answer but 503.
    const retry = await post(gateway, user.apiKey, '/v1/verify/recovery-code', request);
    expectUnavailableInTime(retry);

    // The standby acknowledges again (here: none is required any more): the retry gets the outcome.
    await server.requireStandby(false);
    const replayed = await post(gateway, user.apiKey, '/v1/verify/recovery-code', request);
    expect(replayed.status, JSON.stringify(replayed)).toBe(200);
    expect(replayed.body).toMatchObject({ outcome: 'accepted', replayed: true });
    expect(await attemptRows(attemptId)).toEqual([{ outcome: 'accepted' }]);
  });
});
