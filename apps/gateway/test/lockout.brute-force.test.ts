import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, roundRobinClients, startEnvironment, wrongCodes } from './support/fixtures';

// Invariant 4: brute force is bounded globally — counted in the database, not per process.
describe('[BRUTE_FORCE] 200 wrong codes sprayed in parallel across two gateways', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('counts exactly, locks at the threshold, refuses the right code while locked, audits everything', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const pick = roundRobinClients([a, b], user.apiKey, 60_000);
    const codes = await wrongCodes(user.secret, 200);

    const results = await Promise.all(codes.map((code, i) => pick(i).verifyTotp({ userId: user.userId, code, attemptId: `spray-attempt-${i}` })));
    const reasons = results.map((r) => r.reason);
    expect(results.every((r) => r.outcome === 'rejected')).toBe(true);
    // The default threshold is 10: exactly 10 guesses were evaluated, every later one met the lock.
    expect(reasons.filter((r) => r === 'invalid_code')).toHaveLength(10);
    expect(reasons.filter((r) => r === 'locked')).toHaveLength(190);

    const factor = await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.factorId } });
    expect(factor.failedCount).toBe(10);
    expect(factor.lockedUntil?.getTime()).toBeGreaterThan(Date.now() + 14 * 60 * 1000);

    const { code } = await freshCode(user.secret, user.confirmedStep);
    const right = await pick(1).verifyTotp({ userId: user.userId, code });
    expect(right).toMatchObject({ outcome: 'rejected', reason: 'locked' });

    const audit = await env.db.prisma.auditEvent.groupBy({ by: ['type'], where: { factorId: user.factorId }, _count: true });
    const byType = Object.fromEntries(audit.map((row) => [row.type, row._count]));
    expect(byType['verify.rejected']).toBe(201);
    expect(byType['factor.locked']).toBe(1);
    expect(byType['verify.accepted']).toBeUndefined();
    expect(await env.db.prisma.verificationAttempt.count({ where: { factorId: user.factorId } })).toBe(201);
  });
});

describe('[HARD_LIMIT] NIST 800-63B: at most 100 consecutive failures', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  // Short locks so the test can walk past several of them.
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_LOCKOUT_THRESHOLD: '5', HOLDFAST_LOCKOUT_SECONDS: '1', HOLDFAST_LOCKOUT_HARD_LIMIT: '10' } });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('locks for good at the hard limit, even after earlier locks expired', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const client = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const codes = await wrongCodes(user.secret, 10);
    for (const [i, code] of codes.slice(0, 5).entries()) await client.verifyTotp({ userId: user.userId, code, attemptId: `hard-limit-a-${i}` });
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the 1 s lock expires
    for (const [i, code] of codes.slice(5).entries()) await client.verifyTotp({ userId: user.userId, code, attemptId: `hard-limit-b-${i}` });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const { code } = await freshCode(user.secret, user.confirmedStep);
    expect(await client.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'rejected', reason: 'locked' });
    const factor = await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.factorId } });
    expect(factor.failedCount).toBe(10);
    expect(factor.lockedUntil?.getUTCFullYear()).toBe(9999);
  });
});
