import { HoldfastApiError, createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment, wrongCodes } from './support/fixtures';

// Issue 8, hole 1: an attempt id is bound to its whole request (HMAC of the credential and the
// resolved factor), its recorded outcome is handed out for 10 minutes at most, never for a factor
// revoked since, and marked `replayed`.
describe('attempt ids bound to the whole request', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('[ATTEMPT_REUSE_OTHER_CODE] an accepted id sent again with a wrong code is refused with 409, on either gateway', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const viaA = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const first = await viaA.verifyTotp({ userId: user.userId, code, attemptId: 'stable-session-id' });
    expect(first).toMatchObject({ outcome: 'accepted', replayed: false });

    for (const [client, wrong] of [viaA, viaB].map((c, i) => [c, i] as const)) {
      const [guess = '000000'] = (await wrongCodes(user.secret, 2)).slice(wrong);
      const error = await client.verifyTotp({ userId: user.userId, code: guess, attemptId: 'stable-session-id' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HoldfastApiError);
      expect(error).toMatchObject({ code: 'ATTEMPT_ID_REUSED', httpStatus: 409 });
    }
    // The same request is a retry: the recorded outcome, marked as such, and audited.
    expect(await viaB.verifyTotp({ userId: user.userId, code, attemptId: 'stable-session-id' })).toEqual({ ...first, replayed: true });
    const types = await env.db.prisma.auditEvent.findMany({ where: { attemptId: 'stable-session-id' }, select: { type: true } });
    expect(types.map((t) => t.type).sort()).toEqual(['verify.accepted', 'verify.replayed']);
    expect(await env.db.prisma.verificationAttempt.count({ where: { attemptId: 'stable-session-id' } })).toBe(1);
  });

  it('[ATTEMPT_REUSE_AFTER_REVOKE] an accepted id is never replayed once its factor is revoked', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const viaA = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    expect(await viaA.verifyTotp({ userId: user.userId, code, attemptId: 'before-revoke' })).toMatchObject({ outcome: 'accepted' });
    await viaA.revokeFactor({ userId: user.userId, factorId: user.factorId });

    const error = await viaB.verifyTotp({ userId: user.userId, code, attemptId: 'before-revoke' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ATTEMPT_ID_EXPIRED', httpStatus: 409 });
    const [wrong = '000000'] = await wrongCodes(user.secret, 1);
    const other = await viaB.verifyTotp({ userId: user.userId, code: wrong, attemptId: 'before-revoke' }).catch((e: unknown) => e);
    expect(other).toMatchObject({ code: 'ATTEMPT_ID_REUSED', httpStatus: 409 });
    await expect(viaB.status({ attemptId: 'before-revoke' })).rejects.toMatchObject({ code: 'ATTEMPT_ID_EXPIRED', httpStatus: 409 });
  });

  it('[ATTEMPT_EXPIRED] a recorded outcome is handed out for 10 minutes, not after', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const client = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const first = await client.verifyTotp({ userId: user.userId, code, attemptId: 'old-attempt' });
    expect(first.outcome).toBe('accepted');
    expect(await client.status({ attemptId: 'old-attempt' })).toEqual({ ...first, replayed: true });

    await env.db.pool.query("UPDATE verification_attempts SET created_at = now() - interval '11 minutes' WHERE attempt_id = 'old-attempt'");
    await expect(client.verifyTotp({ userId: user.userId, code, attemptId: 'old-attempt' })).rejects.toMatchObject({
      code: 'ATTEMPT_ID_EXPIRED',
      httpStatus: 409,
    });
    await expect(client.status({ attemptId: 'old-attempt' })).rejects.toMatchObject({ code: 'ATTEMPT_ID_EXPIRED', httpStatus: 409 });
  });
});
