import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from './support/gateways';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

async function readyz(
  url: string,
): Promise<{ status: number; body: { ready: boolean; database: { ok: boolean }; canary: { ok: boolean; error: string | null } | null } }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as never };
}

async function waitFor<T>(probe: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (isDone(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Invariant 9: health means "a login works".
describe('[HEALTH] /healthz, /readyz and /metrics', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('is ready once its canary login succeeded through the real write path', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await waitFor(
      () => readyz(gw.url),
      (r) => r.status === 200,
      10_000,
    );
    expect(ready).toMatchObject({ status: 200, body: { ready: true, database: { ok: true }, canary: { ok: true } } });
    const canaryLogins = await env.db.prisma.verificationAttempt.count({
      where: { gatewayId: gw.gatewayId, outcome: 'accepted', application: { isCanary: true } },
    });
    expect(canaryLogins).toBeGreaterThan(0);
    const heartbeat = await env.db.prisma.gatewayHeartbeat.findUniqueOrThrow({ where: { gatewayId: gw.gatewayId } });
    expect(heartbeat.canaryOk).toBe(true);
  });

  it('turns unready when logins stop working although the database answers', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const canary = await env.db.prisma.factor.findFirstOrThrow({ where: { label: 'canary', user: { externalId: `canary:${gw.gatewayId}` } } });
    await env.db.prisma.factor.update({ where: { id: canary.id }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    const unready = await waitFor(
      () => readyz(gw.url),
      (r) => r.status === 503,
      10_000,
    );
    expect(unready).toMatchObject({ status: 503, body: { ready: false, database: { ok: true }, canary: { ok: false, error: 'rejected: locked' } } });
    await env.db.prisma.factor.update({ where: { id: canary.id }, data: { lockedUntil: null } });
    expect(
      (
        await waitFor(
          () => readyz(gw.url),
          (r) => r.status === 200,
          10_000,
        )
      ).status,
    ).toBe(200);
  });

  it('exports request counts by procedure and outcome and a latency histogram', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url });
    const client = createHoldfastClient({ gateways: [gw.url], apiKey: user.apiKey });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    await client.verifyTotp({ userId: user.userId, code });
    await client.verifyTotp({ userId: user.userId, code });
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/holdfast_requests_total\{[^}]*procedure="verify.totp",outcome="accepted"\} 1\n/);
    expect(text).toMatch(/holdfast_requests_total\{[^}]*procedure="verify.totp",outcome="rejected"\} 1\n/);
    expect(text).toMatch(/holdfast_request_duration_seconds_count\{[^}]*procedure="verify.totp"\} 2\n/);
    expect(text).toMatch(/holdfast_canary_ok\{[^}]*\} 1/);
  });
});

describe('[HEALTH_NO_DATABASE] a gateway whose database is unreachable', () => {
  it('is alive but not ready', async () => {
    const gw = await startGateway({ databaseUrl: 'postgresql://postgres:x@127.0.0.1:1/none', gatewayId: 'gw-nodb', env: { HOLDFAST_MIGRATE: 'false' } });
    try {
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      const state = await waitFor(
        () => readyz(gw.url),
        (r) => r.body.canary !== null,
        10_000,
      );
      expect(state).toMatchObject({ status: 503, body: { ready: false, database: { ok: false }, canary: { ok: false } } });
    } finally {
      await gw.stop();
    }
  });
});
