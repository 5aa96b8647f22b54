import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvironment } from './support/fixtures';
import { sendDeviceAnswer } from './support/push-device';
import { createPushApplication, decidePushInDatabase, seedPushUser, type SeededPushUser } from './support/push-seed';

interface Answer {
  status: number;
  retryAfter: string | null;
  code: string | null;
  retryAfterSeconds: number | null;
  transactionId: string | null;
}

async function begin(gatewayUrl: string, user: SeededPushUser): Promise<Answer> {
  const response = await fetch(`${gatewayUrl}/trpc/verify.pushBegin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.apiKey}` },
    body: JSON.stringify({ userId: user.userId, attemptId: randomUUID() }),
  });
  const json = (await response.json()) as {
    result?: { data?: { transactionId?: string } };
    error?: { data?: { holdfastCode?: string; retryAfterSeconds?: number } };
  };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    code: json.error?.data?.holdfastCode ?? null,
    retryAfterSeconds: json.error?.data?.retryAfterSeconds ?? null,
    transactionId: json.result?.data?.transactionId ?? null,
  };
}

// Push fatigue ("MFA bombing", issue 11): the limits are counted in Postgres under the user's row
// lock, so they hold whichever gateway each begin lands on.
describe('[PUSH_FATIGUE] push fatigue limits hold across gateways', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let gateways: string[];

  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
    gateways = env.gateways.map((gateway) => gateway.url);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('[PUSH_FATIGUE] 20 concurrent begins for one user over two gateways → exactly 1 pending; the rest PUSH_PENDING with Retry-After', async () => {
    const app = await createPushApplication(env.db, { push_max_per_window: 100 });
    const user = await seedPushUser(env.db, app);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => begin(gateways[i % 2] ?? '', user)));
    const begun = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(begun).toHaveLength(1);
    expect(refused.map((answer) => `${String(answer.status)} ${answer.code ?? ''}`)).toEqual(refused.map(() => '409 PUSH_PENDING'));
    for (const answer of refused) {
      // Until the pending push expires (60 s).
      expect(Number(answer.retryAfter)).toBeGreaterThan(50);
      expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
      expect(answer.retryAfterSeconds).toBe(Number(answer.retryAfter));
    }
    expect(await env.db.prisma.pushTransaction.count({ where: { userId: user.userRowId, status: 'pending' } })).toBe(1);
    expect(await env.db.prisma.auditEvent.count({ where: { userId: user.userRowId, type: 'push.begin_refused' } })).toBe(19);
  });

  it('[PUSH_FATIGUE] at most N per window counted across gateways, then PUSH_LIMIT_REACHED (429) with Retry-After — on REST too', async () => {
    const app = await createPushApplication(env.db); // default: 3 per 300 s
    const user = await seedPushUser(env.db, app);
    for (let i = 0; i < 3; i += 1) {
      const answer = await begin(gateways[i % 2] ?? '', user);
      expect(answer.status).toBe(200);
      // It ends (the user denied it): one pending at a time is not what limits the next one.
      expect(await decidePushInDatabase(env.db, answer.transactionId ?? '', 'denied')).toBe(1);
    }
    for (const gateway of gateways) {
      const refused = await begin(gateway, user);
      expect(refused).toMatchObject({ status: 429, code: 'PUSH_LIMIT_REACHED' });
      expect(Number(refused.retryAfter)).toBeGreaterThan(250);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(300);
    }
    const rest = await fetch(`${gateways[1] ?? ''}/v1/verify/push-begin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.apiKey}` },
      body: JSON.stringify({ userId: user.userId, attemptId: randomUUID() }),
    });
    expect(rest.status).toBe(429);
    expect(rest.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await rest.json()) as { holdfastCode: string; retryAfterSeconds: number };
    expect(problem.holdfastCode).toBe('PUSH_LIMIT_REACHED');
    expect(String(problem.retryAfterSeconds)).toBe(rest.headers.get('retry-after'));
    const refusals = await env.db.prisma.auditEvent.findMany({ where: { userId: user.userRowId, type: 'push.begin_refused' } });
    expect(refusals.map((row) => (row.detail as { reason: string }).reason)).toEqual(['push_rate_limited', 'push_rate_limited', 'push_rate_limited']);
  });

  it('[PUSH_FATIGUE] limits are per application: 1 per window here, the default elsewhere', async () => {
    const strict = await createPushApplication(env.db, { push_max_per_window: 1, push_window_seconds: 600 });
    const lenient = await createPushApplication(env.db);
    const strictUser = await seedPushUser(env.db, strict);
    const lenientUser = await seedPushUser(env.db, lenient);
    const first = await begin(gateways[0] ?? '', strictUser);
    expect(first.status).toBe(200);
    await decidePushInDatabase(env.db, first.transactionId ?? '', 'approved');
    const second = await begin(gateways[1] ?? '', strictUser);
    expect(second).toMatchObject({ status: 429, code: 'PUSH_LIMIT_REACHED' });
    expect(Number(second.retryAfter)).toBeGreaterThan(590);
    const other = await begin(gateways[1] ?? '', lenientUser);
    expect(other.status).toBe(200);
    await decidePushInDatabase(env.db, other.transactionId ?? '', 'approved');
    expect((await begin(gateways[0] ?? '', lenientUser)).status).toBe(200);
  });

  it('[PUSH_FATIGUE] a fraud report suspends push for the user: PUSH_SUSPENDED (403) with Retry-After ≈ 20 minutes', async () => {
    const app = await createPushApplication(env.db);
    const user = await seedPushUser(env.db, app);
    const begun = await begin(gateways[0] ?? '', user);
    expect(begun.status).toBe(200);
    const device = user.devices[0];
    if (device === undefined) throw new Error('device expected');
    const reported = await sendDeviceAnswer(gateways[1] ?? '', device.signAnswer({ transactionId: begun.transactionId ?? '', decision: 'fraud' }));
    expect(reported.status).toBe(200);
    const refused = await begin(gateways[0] ?? '', user);
    expect(refused).toMatchObject({ status: 403, code: 'PUSH_SUSPENDED' });
    expect(Number(refused.retryAfter)).toBeGreaterThan(1100);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(1200);
    expect((await begin(gateways[1] ?? '', user)).code).toBe('PUSH_SUSPENDED');
  });

  it('a locked account gets no push (FORBIDDEN, with Retry-After until the lock ends)', async () => {
    const app = await createPushApplication(env.db);
    const user = await seedPushUser(env.db, app);
    await env.db.pool.query("UPDATE users SET locked_until = now() + interval '10 minutes' WHERE id = $1", [user.userRowId]);
    const refused = await begin(gateways[0] ?? '', user);
    expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(Number(refused.retryAfter)).toBeGreaterThan(500);
  });
});
