import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, roundRobinClients, startEnvironment } from './support/fixtures';

describe('[TOTP_RACE] the same valid code sent 50 times at once across two gateways', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('is accepted exactly once; the rest are replays; one success is audited', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const pick = roundRobinClients([a, b], user.apiKey, 30_000);
    const { code, step } = await freshCode(user.secret, user.confirmedStep);

    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => pick(i).verifyTotp({ userId: user.userId, code, attemptId: `race-${i}-${step}` })));
    const accepted = results.filter((r) => r.outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    expect(results.filter((r) => r.reason === 'replay')).toHaveLength(49);
    // Both gateways really took part.
    expect(new Set(results.map((r) => r.gatewayId))).toEqual(new Set(['gw-a', 'gw-b']));

    const audited = await env.db.prisma.auditEvent.count({ where: { factorId: user.factorId, type: 'verify.accepted' } });
    expect(audited).toBe(1);
    const replaysAudited = await env.db.prisma.auditEvent.count({ where: { factorId: user.factorId, type: 'verify.rejected' } });
    expect(replaysAudited).toBe(49);
    const row = await env.db.prisma.totpFactor.findUniqueOrThrow({ where: { factorId: user.factorId } });
    expect(Number(row.lastStep)).toBe(step);
  });
});
