import { HoldfastApiError, createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

async function timeUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

// Invariant 8: caches never decide security; invalidation by LISTEN/NOTIFY, TTL cap, flush on reconnect.
describe('[CACHE_INVALIDATION] metadata cached per gateway', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('a factor revoked through gateway A stops verifying and disappears from preauth on gateway B', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const viaA = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const listed = async (): Promise<boolean> => {
      const preauth = await viaB.preauth({ userId: user.userId });
      return preauth.result === 'auth' && preauth.factors.some((f) => f.id === user.factorId);
    };
    expect(await listed()).toBe(true); // now cached on B

    await viaA.revokeFactor({ userId: user.userId, factorId: user.factorId });
    // Verification never trusts a cache: the very next attempt on B is refused.
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const error = await viaB.verifyTotp({ userId: user.userId, code }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldfastApiError);
    expect(error).toMatchObject({ code: 'FACTOR_NOT_FOUND' });
    // The cached factor list follows within the NOTIFY round trip.
    const elapsed = await timeUntil(async () => !(await listed()), 2_000);
    console.log(`[CACHE_INVALIDATION] revoked factor left gateway B's cached preauth after ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('a revoked API key is refused by every gateway within the bound', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    await viaB.preauth({ userId: user.userId }); // the key is now cached on B
    const keyId = user.apiKey.split('_')[1] ?? '';
    await env.db.prisma.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    const elapsed = await timeUntil(async () => {
      const e = await viaB.preauth({ userId: user.userId }).catch((error: unknown) => error);
      return e instanceof HoldfastApiError && e.code === 'UNAUTHENTICATED';
    }, 2_000);
    console.log(`[CACHE_INVALIDATION] revoked API key refused by gateway B after ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('serves from the cache, and starts empty when its LISTEN connection comes back', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const label = async (): Promise<string | undefined> => {
      const preauth = await viaB.preauth({ userId: user.userId });
      return preauth.result === 'auth' ? preauth.factors.find((f) => f.id === user.factorId)?.label : undefined;
    };
    expect(await label()).toBe('phone');
    // A change that bypasses the triggers (no NOTIFY): B keeps serving what it cached.
    const direct = await env.db.pool.connect();
    try {
      await direct.query('SET session_replication_role = replica');
      await direct.query("UPDATE factors SET label = 'renamed quietly' WHERE id = $1", [user.factorId]);
    } finally {
      await direct.query('RESET session_replication_role');
      direct.release();
    }
    expect(await label()).toBe('phone');
    // Cut B's connections (as a failover would): the listener reconnects and the cache starts empty.
    await env.db.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holdfast-gw-b'");
    const elapsed = await timeUntil(async () => (await label().catch(() => undefined)) === 'renamed quietly', 5_000);
    console.log(`[CACHE_INVALIDATION] cache flushed after B's LISTEN connection was cut: ${elapsed.toFixed(0)} ms`);
  });
});
