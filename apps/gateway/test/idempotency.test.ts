import { HoldfastApiError, createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, roundRobinClients, startEnvironment, wrongCodes } from './support/fixtures';

// Invariant 3: exactly-once outcome under retries, whichever gateway the retry reaches.
describe('[IDEMPOTENCY] a verification retried with the same attempt id', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('returns the first outcome on the same and on the other gateway, never a replay', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const viaA = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const { code } = await freshCode(user.secret, user.confirmedStep);

    const first = await viaA.verifyTotp({ userId: user.userId, code, attemptId: 'login-0001' });
    expect(first.outcome).toBe('accepted');
    // Issue 8: a retry gets the recorded outcome marked `replayed` (and audited as such).
    const recorded = { ...first, replayed: true };
    expect(await viaA.verifyTotp({ userId: user.userId, code, attemptId: 'login-0001' })).toEqual(recorded);
    expect(await viaB.verifyTotp({ userId: user.userId, code, attemptId: 'login-0001' })).toEqual(recorded);
    expect(await viaB.status({ attemptId: 'login-0001' })).toEqual(recorded);
    expect(await env.db.prisma.verificationAttempt.count({ where: { attemptId: 'login-0001' } })).toBe(1);
    expect(await env.db.prisma.auditEvent.count({ where: { attemptId: 'login-0001', type: { not: 'verify.replayed' } } })).toBe(1);
  });

  it('a rejected attempt stays rejected and is counted once toward lockout', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const [wrong = '000000'] = await wrongCodes(user.secret, 1);
    const viaA = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const first = await viaA.verifyTotp({ userId: user.userId, code: wrong, attemptId: 'wrong-0001' });
    expect(first).toMatchObject({ outcome: 'rejected', reason: 'invalid_code' });
    expect(await viaB.verifyTotp({ userId: user.userId, code: wrong, attemptId: 'wrong-0001' })).toEqual({ ...first, replayed: true });
    const factor = await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.factorId } });
    expect(factor.failedCount).toBe(1);
  });

  it('concurrent duplicates on both gateways settle on one outcome', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const pick = roundRobinClients([a, b], user.apiKey, 20_000);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => pick(i).verifyTotp({ userId: user.userId, code, attemptId: 'dup-0001' })));
    expect(results.every((r) => r.outcome === 'accepted')).toBe(true);
    expect(new Set(results.map((r) => r.decidedAt)).size).toBe(1);
    expect(await env.db.prisma.auditEvent.count({ where: { factorId: user.factorId, type: 'verify.accepted' } })).toBe(1);
  });

  it('an attempt id reused for a different request is refused with ATTEMPT_ID_REUSED', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const client = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const [wrong = '000000'] = await wrongCodes(user.secret, 1);
    await client.verifyTotp({ userId: user.userId, code: wrong, attemptId: 'reuse-0001' });
    const error = await client.verifyTotp({ userId: 'someone-else', code: wrong, attemptId: 'reuse-0001' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldfastApiError);
    expect(error).toMatchObject({ code: 'ATTEMPT_ID_REUSED', httpStatus: 409 });
  });
});
