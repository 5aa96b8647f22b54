import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, roundRobinClients, startEnvironment } from './support/fixtures';

/**
 * The guard under test is the compare-and-set in `verify-recovery-code.ts`
 * (`UPDATE recovery_codes SET used_at … WHERE … AND used_at IS NULL`). The scrypt matching runs
 * before the transaction, so every request that read the code before the first commit holds a
 * match; only the compare-and-set under the factor lock lets exactly one of them through. Without
 * it, each of those requests is accepted (checked by hand: see /work/coord/guard-tests.md).
 */
describe('[RECOVERY_RACE] one recovery code sent 20 times at once across two gateways', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  // Lockout out of the way (19 rejections stay below it), so every loser reports why it lost.
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2, env: { HOLDFAST_LOCKOUT_THRESHOLD: '100' } });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('is accepted exactly once; the rest are replays or invalid; the code is used once and one success is audited', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    const code = user.recoveryCodes[0];
    if (code === undefined) throw new Error('recovery codes expected');
    const pick = roundRobinClients([a, b], user.apiKey, 30_000);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pick(i).verifyRecoveryCode({ userId: user.userId, code, attemptId: `recovery-race-${i}` })),
    );

    const accepted = results.filter((r) => r.outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    // A loser either matched the code before the winner committed and lost the compare-and-set
    // (replay), or looked it up afterwards and found no unused code with its tag (invalid_code).
    const rejected = results.filter((r) => r.outcome === 'rejected');
    expect(rejected).toHaveLength(19);
    for (const r of rejected) expect(['replay', 'invalid_code']).toContain(r.reason);
    expect(new Set(results.map((r) => r.gatewayId))).toEqual(new Set(['gw-a', 'gw-b']));

    const internalUser = await env.db.prisma.user.findFirstOrThrow({ where: { externalId: user.userId } });
    const set = await env.db.prisma.factor.findFirstOrThrow({ where: { userId: internalUser.id, kind: 'recovery_codes', status: 'active' } });
    expect(accepted[0]?.factorId).toBe(set.id);
    // The database agrees: one code of the set spent, the other nine untouched.
    const codes = await env.db.prisma.recoveryCode.findMany({ where: { factorId: set.id } });
    expect(codes).toHaveLength(10);
    expect(codes.filter((c) => c.usedAt !== null)).toHaveLength(1);
    // Invariant 7: exactly one success and 19 rejections in the audit trail of this set.
    expect(await env.db.prisma.auditEvent.count({ where: { factorId: set.id, type: 'verify.accepted' } })).toBe(1);
    expect(await env.db.prisma.auditEvent.count({ where: { factorId: set.id, type: 'verify.rejected' } })).toBe(19);
    const attempts = await env.db.prisma.verificationAttempt.groupBy({ by: ['outcome'], where: { factorId: set.id }, _count: true });
    expect(Object.fromEntries(attempts.map((g) => [g.outcome, g._count]))).toEqual({ accepted: 1, rejected: 19 });
  });
});
