import { generateTotpCode, timeStepAt } from '@holdfast/core';
import { createEnrollmentClient, createHoldfastClient, HoldfastApiError, type HoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParams, enrollTotpUser, freshCode, postTrpc, startEnvironment, wrongCodes } from './support/fixtures';

const accountCap = 15;

/** A second TOTP factor for the user, through a new enrollment link (stepping up first when the gateway asks for it). */
async function addTotpFactor(options: { gatewayUrl: string; app: HoldfastClient; userId: string; secret: string; lastStep: number }): Promise<{
  factorId: string;
  secret: string;
  confirmedStep: number;
}> {
  const link = await options.app.createEnrollmentLink({ userId: options.userId });
  const enrollment = createEnrollmentClient({ gateways: [options.gatewayUrl] });
  await enrollment.redeem(link.token);
  const begin = async (): Promise<{ factorId: string; secret: string }> => enrollment.beginTotp({ label: 'second phone' });
  const begun = await begin().catch(async (error: unknown) => {
    if (!(error instanceof HoldfastApiError) || error.code !== 'STEP_UP_REQUIRED') throw error;
    const { code } = await freshCode(options.secret, options.lastStep);
    await enrollment.stepUpTotp({ code });
    return begin();
  });
  const now = new Date();
  await enrollment.confirmTotp({ factorId: begun.factorId, code: await generateTotpCode({ secret: begun.secret, params: defaultParams, at: now }) });
  return { factorId: begun.factorId, secret: begun.secret, confirmedStep: timeStepAt({ at: now, period: 30 }) };
}

/** Recovery-code-shaped guesses that are not the user's codes. */
function wrongRecoveryCodes(count: number, own: readonly string[]): string[] {
  const mine = new Set(own.map((c) => c.replace('-', '')));
  return Array.from({ length: count * 2 }, (_, i) => `ZZZZZ${String(22222 + i * 7).replace(/[01]/g, '9')}`)
    .filter((c) => !mine.has(c))
    .slice(0, count);
}

// Issue 8, hole 3: the NIST cap on consecutive failures is per account, not per factor.
describe('account-wide throttling', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2, env: { HOLDFAST_ACCOUNT_LOCKOUT_THRESHOLD: String(accountCap) } });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('[ACCOUNT_THROTTLE] guesses spread over two TOTP factors and recovery codes stop at the account cap; [UNLOCK] ends it, audited', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    const app = createHoldfastClient({ gateways: [a.url, b.url], apiKey: user.apiKey });
    const second = await addTotpFactor({ gatewayUrl: a.url, app, userId: user.userId, secret: user.secret, lastStep: user.confirmedStep });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });

    // 5 wrong codes on each factor (each below the per-factor threshold of 10): 15 = the account cap.
    const guesses = [
      ...(await wrongCodes(user.secret, 5)).map((code) => () => app.verifyTotp({ userId: user.userId, factorId: user.factorId, code })),
      ...(await wrongCodes(second.secret, 5)).map((code) => () => viaB.verifyTotp({ userId: user.userId, factorId: second.factorId, code })),
      ...wrongRecoveryCodes(5, user.recoveryCodes).map((code) => () => app.verifyRecoveryCode({ userId: user.userId, code })),
    ];
    const results = [];
    for (const guess of guesses) results.push(await guess());
    expect(results.map((r) => r.reason)).toEqual(Array.from({ length: accountCap }, () => 'invalid_code'));

    // Now every factor refuses, the right credentials included, and nothing more is counted.
    const { code } = await freshCode(second.secret, second.confirmedStep);
    expect(await viaB.verifyTotp({ userId: user.userId, factorId: second.factorId, code })).toMatchObject({ outcome: 'rejected', reason: 'account_locked' });
    expect(await app.verifyRecoveryCode({ userId: user.userId, code: user.recoveryCodes[0] ?? '' })).toMatchObject({
      outcome: 'rejected',
      reason: 'account_locked',
    });
    const [more = '000000'] = await wrongCodes(user.secret, 1);
    expect(await app.verifyTotp({ userId: user.userId, factorId: user.factorId, code: more })).toMatchObject({ reason: 'account_locked' });

    const row = await env.db.pool.query<{ id: string; failed_count: number; locked_until: Date }>(
      'SELECT id, failed_count, locked_until FROM users WHERE application_id = $1 AND external_id = $2',
      [user.applicationId, user.userId],
    );
    const account = row.rows[0];
    expect(account?.failed_count).toBe(accountCap);
    expect(account?.locked_until.getUTCFullYear()).toBe(9999);
    const factors = await env.db.prisma.factor.findMany({ where: { userId: account?.id ?? '' }, select: { failedCount: true, lockedUntil: true } });
    expect(factors.every((f) => f.failedCount <= 5 && f.lockedUntil === null)).toBe(true);
    expect(await env.db.prisma.auditEvent.count({ where: { userId: account?.id ?? '', type: 'account.locked' } })).toBe(1);

    // [UNLOCK] the relying application ends the lock: audited with before/after; the right code works again.
    const unlocked = await postTrpc(b.url, 'factors.unlock', { userId: user.userId }, user.apiKey);
    expect(unlocked.status).toBe(200);
    expect(unlocked.json).toMatchObject({ result: { data: { accountUnlocked: true } } });
    const audit = await env.db.prisma.auditEvent.findFirst({ where: { userId: account?.id ?? '', type: 'account.unlocked' } });
    expect(audit?.detail).toMatchObject({ before: { failedCount: accountCap }, after: { failedCount: 0, lockedUntil: null } });
    // The refused code was never checked, so its step is still unspent.
    const { code: next } = await freshCode(second.secret, second.confirmedStep);
    expect(await viaB.verifyTotp({ userId: user.userId, factorId: second.factorId, code: next })).toMatchObject({ outcome: 'accepted' });
  });

  it('[UNLOCK] ends a factor lock (also a permanent one) with factor.unlocked; refused without the API key', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    await env.db.prisma.factor.update({ where: { id: user.factorId }, data: { failedCount: 100, lockedUntil: new Date('9999-12-31T23:59:59.999Z') } });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    expect(await app.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'rejected', reason: 'locked' });

    expect((await postTrpc(a.url, 'factors.unlock', { userId: user.userId, factorId: user.factorId })).status).toBe(401);
    const unlocked = await postTrpc(a.url, 'factors.unlock', { userId: user.userId, factorId: user.factorId }, user.apiKey);
    expect(unlocked.json).toMatchObject({ result: { data: { unlockedFactorIds: [user.factorId], accountUnlocked: false } } });
    const audit = await env.db.prisma.auditEvent.findFirst({ where: { factorId: user.factorId, type: 'factor.unlocked' } });
    expect(audit?.detail).toMatchObject({
      before: { failedCount: 100, lockedUntil: '9999-12-31T23:59:59.999Z' },
      after: { failedCount: 0, lockedUntil: null },
    });
    const { code: next } = await freshCode(user.secret, user.confirmedStep);
    expect(await app.verifyTotp({ userId: user.userId, code: next })).toMatchObject({ outcome: 'accepted' });
  });

  it('[REMOVE_COUNTS] the code for removing the last factor goes through the write path: counted, audited, locked out', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const link = await app.createEnrollmentLink({ userId: user.userId });
    const enrollment = createEnrollmentClient({ gateways: [a.url] });
    await enrollment.redeem(link.token);
    // A user with a factor steps up first (the step-up change); it does not touch the counters.
    const session = await enrollment.session();
    let lastStep = user.confirmedStep;
    if (session.stepUp === 'required') {
      const fresh = await freshCode(user.secret, lastStep);
      await enrollment.stepUpTotp({ code: fresh.code });
      lastStep = fresh.step;
    }
    const [wrong = '000000'] = await wrongCodes(user.secret, 1);
    await expect(enrollment.removeFactor({ factorId: user.factorId, code: wrong })).rejects.toMatchObject({ code: 'INVALID_CODE' });
    const factor = await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.factorId } });
    expect(factor).toMatchObject({ status: 'active', failedCount: 1 });
    const audit = await env.db.prisma.auditEvent.findFirst({ where: { factorId: user.factorId, type: 'verify.rejected' } });
    expect(audit?.attemptId).toMatch(/^remove-/);

    // While the factor is locked, even its right code does not remove it.
    await env.db.prisma.factor.update({ where: { id: user.factorId }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    const { code } = await freshCode(user.secret, lastStep);
    await expect(enrollment.removeFactor({ factorId: user.factorId, code })).rejects.toMatchObject({ code: 'INVALID_CODE' });
    expect(await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.factorId } })).toMatchObject({ status: 'active' });
  });

  it('[RECOVERY_CODE_TYPED] a recovery code typed in lower case with spaces for the dash is accepted', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const [code = ''] = user.recoveryCodes;
    const typed = ` ${code.toLowerCase().replace('-', '  ')} `;
    expect(await app.verifyRecoveryCode({ userId: user.userId, code: typed })).toMatchObject({ outcome: 'accepted' });
    expect(await app.verifyRecoveryCode({ userId: user.userId, code })).toMatchObject({ outcome: 'rejected', reason: 'invalid_code' });
  });
});
