import { HoldfastApiError, createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

describe('[FACTORS_SELF_SERVICE] a user managing their own factors with an enrollment session', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('lists and renames; removing the last factor takes a fresh code from it', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url });
    const app = createHoldfastClient({ gateways: [gw.url], apiKey: user.apiKey, probeIntervalMs: 0 });
    const link = await app.createEnrollmentLink({ userId: user.userId });
    const portal = createEnrollmentClient({ gateways: [gw.url] });
    await portal.redeem(link.token);

    expect((await portal.factors()).factors).toMatchObject([{ id: user.factorId, kind: 'totp', label: 'phone', status: 'active' }]);
    // Issue 8: changing factors needs a step-up (a current code from one of them) within 5 minutes.
    const stepUp = await freshCode(user.secret, user.confirmedStep);
    expect(await portal.stepUpTotp({ code: stepUp.code })).toMatchObject({ outcome: 'accepted' });
    await portal.renameFactor({ factorId: user.factorId, label: 'Work phone' });
    expect((await portal.factors()).factors[0]?.label).toBe('Work phone');

    const refused = await portal.removeFactor({ factorId: user.factorId }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HoldfastApiError);
    expect(refused).toMatchObject({ code: 'FRESH_VERIFICATION_REQUIRED', httpStatus: 412 });
    const wrong = await portal.removeFactor({ factorId: user.factorId, code: user.confirmationCode }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'INVALID_CODE' }); // the enrollment code was already used: not fresh

    const { code } = await freshCode(user.secret, stepUp.step);
    expect(await portal.removeFactor({ factorId: user.factorId, code })).toEqual({ factorId: user.factorId, status: 'revoked' });
    expect((await portal.factors()).factors).toEqual([]);
    expect((await app.preauth({ userId: user.userId })).result).toBe('enroll');
    expect(await env.db.prisma.auditEvent.count({ where: { factorId: user.factorId, type: { in: ['factor.renamed', 'factor.revoked'] } } })).toBe(2);
  });
});
