import { createDatabase, type Database } from '@holdfast/db';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode } from './support/fixtures';
import { startInProcessGateway, type InProcessGateway } from './transport.in-process';

// Issue 9, "Surges": a burst far above what the gateway may run at once is answered — the excess
// with a fast 503 GATEWAY_OVERLOADED + Retry-After before any work, the rest normally — and the
// gateway stays ready and serves normally afterwards. Without the admission queue every request
// is let into the router and none is refused: the test fails.

const burst = 80;
const limits = { maxInFlight: 2, maxQueue: 4, maxWaitMs: 2_000 };

interface Reply {
  status: number;
  retryAfter: string | undefined;
  json: unknown;
  ms: number;
}

function post(agent: http.Agent, base: string, path: string, body: unknown, apiKey: string): Promise<Reply> {
  const text = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}${path}`,
      { agent, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'content-length': Buffer.byteLength(text) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
            ms: performance.now() - started,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

describe('[SURGE_ADMISSION] a burst above the admission limits', () => {
  let gateway: InProcessGateway;
  let db: Database;
  beforeAll(async () => {
    gateway = await startInProcessGateway({ gatewayId: 'gw-surge', admission: limits, poolMax: 2, canaryIntervalMs: 1000 });
    db = createDatabase({ url: gateway.database.url, poolMax: 2 });
  });
  afterAll(async () => {
    await db.close();
    await gateway.close();
  });

  it('refuses the excess fast with 503 GATEWAY_OVERLOADED, answers the rest, stays ready, then serves normally', async () => {
    const alice = await enrollTotpUser({ db, gatewayUrl: gateway.url, userId: 'alice' });
    const bob = await enrollTotpUser({ db, gatewayUrl: gateway.url, userId: 'bob' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: burst });
    const readiness: number[] = [];
    const burstState = { isBursting: true };
    const probe = (async () => {
      while (burstState.isBursting) {
        const response = await fetch(`${gateway.url}/readyz`);
        readiness.push(response.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    // Wrong codes: every admitted one is a full verification (authentication, row locks, attempt
    // and audit rows), answered 200 `rejected` — the answer a surge must not turn into a timeout.
    // Alice's user row is held locked meanwhile, so the admitted requests cannot finish and free
    // their slots while the burst is still arriving (on a busy machine a burst trickles in): what
    // the gate decides is then exact, whatever the timing.
    const holder = await db.pool.connect();
    await holder.query('BEGIN');
    await holder.query("SELECT 1 FROM users WHERE external_id = 'alice' FOR UPDATE");
    let settled = 0;
    const pending = Array.from({ length: burst }, (_, i) =>
      post(
        agent,
        gateway.url,
        '/trpc/verify.totp',
        { userId: 'alice', code: '000000', attemptId: `surge-${String(i).padStart(4, '0')}` },
        alice.apiKey,
      ).finally(() => {
        settled += 1;
      }),
    );
    // Everything but the admitted requests is answered: refused at once, or after waiting its bound in the queue.
    for (let waited = 0; settled < burst - limits.maxInFlight && waited < 15_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await holder.query('COMMIT');
    holder.release();
    const replies = await Promise.all(pending);
    burstState.isBursting = false;
    await probe;

    const refused = replies.filter((reply) => reply.status === 503);
    const answered = replies.filter((reply) => reply.status === 200);
    expect(refused.length + answered.length, JSON.stringify(replies.filter((r) => r.status !== 200 && r.status !== 503))).toBe(burst);
    // Only the requests let in before any slot could free: the queue's waiters ran out of time.
    expect(answered.length).toBe(limits.maxInFlight);
    expect(refused.length).toBe(burst - limits.maxInFlight);
    for (const reply of refused) {
      expect(reply.retryAfter).toBe('1');
      expect(reply.json).toMatchObject({ error: { data: { holdfastCode: 'GATEWAY_OVERLOADED', httpStatus: 503, code: 'SERVICE_UNAVAILABLE' } } });
    }
    for (const reply of answered) expect(reply.json).toMatchObject({ result: { data: { outcome: 'rejected' } } });
    // Refused at arrival, not after a wait: all but the queue's few are refused well within its
    // time bound; the queued ones no later than the bound (plus scheduling slack).
    expect(refused.filter((reply) => reply.ms < limits.maxWaitMs).length).toBeGreaterThanOrEqual(burst - limits.maxInFlight - limits.maxQueue);
    expect(Math.max(...refused.map((reply) => reply.ms))).toBeLessThan(limits.maxWaitMs + 1_500);
    expect(readiness.length).toBeGreaterThan(0);
    expect(readiness.every((status) => status === 200)).toBe(true);

    // Counted on /metrics.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain(`holdfast_requests_refused_total{gateway="gw-surge",region="test",reason="overloaded"} ${refused.length}\n`);

    // After the burst: a normal login goes through.
    const code = await freshCode(bob.secret, bob.confirmedStep);
    const after = await post(agent, gateway.url, '/trpc/verify.totp', { userId: 'bob', code: code.code, attemptId: 'surge-after-0001' }, bob.apiKey);
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ result: { data: { outcome: 'accepted' } } });
    agent.destroy();
  });
});
