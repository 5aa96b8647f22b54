import { createEnrollmentClient, createHoldfastClient, HoldfastApiError, type EnrollmentClient } from '@holdfast/sdk';
import { generateTotpCode } from '@holdfast/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParams, enrollTotpUser, freshCode, startEnvironment, wrongCodes } from './support/fixtures';
import { createSoftwareAuthenticator } from './support/software-authenticator';

/**
 * Issue 8, hole 2: a redeemed enrollment link used to be a master key — it could add a TOTP or a
 * passkey, regenerate recovery codes and remove factors without proving any existing factor.
 * Now, once the user has a factor, every change needs a step-up (one of the user's factors
 * verified through the one write path) within the last five minutes.
 */
describe('[STEP_UP_REQUIRED] an enrollment session changes nothing on an account with a factor until it verifies one', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
  });
  afterAll(async () => {
    await env.stop();
  });

  function gatewayUrl(): string {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    return gw.url;
  }

  /** A new link for an existing user, redeemed: what an attacker holding a leaked link has. */
  async function openSession(apiKey: string, userId: string): Promise<EnrollmentClient> {
    const app = createHoldfastClient({ gateways: [gatewayUrl()], apiKey, probeIntervalMs: 0 });
    const link = await app.createEnrollmentLink({ userId });
    const portal = createEnrollmentClient({ gateways: [gatewayUrl()] });
    await portal.redeem(link.token);
    return portal;
  }

  async function refusal(call: Promise<unknown>): Promise<unknown> {
    return call.then(
      () => 'allowed',
      (error: unknown) => error,
    );
  }

  const stepUpRequired = { code: 'STEP_UP_REQUIRED', httpStatus: 403 };

  async function internalUserId(externalId: string): Promise<string> {
    return (await env.db.prisma.user.findFirstOrThrow({ where: { externalId }, select: { id: true } })).id;
  }

  it('lets a user with no factor bind freely (first binding), and finish that first setup', async () => {
    // enrollTotpUser is exactly that: link → TOTP → recovery codes, no step-up.
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gatewayUrl(), withRecoveryCodes: true });
    expect(user.recoveryCodes).toHaveLength(10);
    const fresh = await env.db.prisma.factor.count({ where: { userId: await internalUserId(user.userId), status: 'active' } });
    expect(fresh).toBe(2);
  });

  it('refuses adding TOTP, adding a passkey, regenerating codes, renaming and removing without step-up; allows each after it', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gatewayUrl() });
    const portal = await openSession(user.apiKey, user.userId);
    expect(await portal.session()).toMatchObject({ stepUp: 'required', stepUpKinds: ['totp'] });

    // Without step-up: every change is refused with 403 STEP_UP_REQUIRED, and nothing changes.
    expect(await refusal(portal.beginTotp({ label: 'attacker' }))).toMatchObject(stepUpRequired);
    expect(await refusal(portal.beginWebauthnRegistration())).toMatchObject(stepUpRequired);
    expect(await refusal(portal.generateRecoveryCodes())).toMatchObject(stepUpRequired);
    expect(await refusal(portal.renameFactor({ factorId: user.factorId, label: 'renamed' }))).toMatchObject(stepUpRequired);
    expect(await refusal(portal.removeFactor({ factorId: user.factorId }))).toMatchObject(stepUpRequired);
    const userId = await internalUserId(user.userId);
    expect(await env.db.prisma.factor.findMany({ where: { userId }, select: { id: true, label: true, status: true } })).toEqual([
      { id: user.factorId, label: 'phone', status: 'active' },
    ]);
    expect(await env.db.prisma.webauthnChallenge.count({ where: { userId } })).toBe(0);

    // A wrong step-up code is a rejected verification, counted on the factor like a sign-in guess.
    const [wrong] = await wrongCodes(user.secret, 1);
    expect(await portal.stepUpTotp({ code: wrong ?? '000000' })).toEqual({ outcome: 'rejected', reason: 'invalid_code' });
    expect((await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.factorId } })).failedCount).toBe(1);
    expect(await refusal(portal.beginTotp({ label: 'attacker' }))).toMatchObject(stepUpRequired);

    // A current code from the user's app: the session may change factors for five minutes.
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const stepped = await portal.stepUpTotp({ code });
    expect(stepped).toMatchObject({ outcome: 'accepted', factorId: user.factorId });
    expect(await portal.session()).toMatchObject({ stepUp: 'fresh' });
    // Through the one write path: an attempt row and its verify.accepted audit, with a server-made attempt id.
    const attempts = await env.db.prisma.verificationAttempt.findMany({ where: { userId }, select: { attemptId: true, outcome: true } });
    expect(attempts.filter((a) => a.outcome === 'accepted').map((a) => a.attemptId)).toEqual([expect.stringMatching(/^stepup-/)]);
    // The same code again is a replay, not a second step-up.
    expect(await portal.stepUpTotp({ code })).toEqual({ outcome: 'rejected', reason: 'replay' });

    const begun = await portal.beginTotp({ label: 'second app' });
    await portal.confirmTotp({ factorId: begun.factorId, code: await generateTotpCode({ secret: begun.secret, params: defaultParams, at: new Date() }) });
    const authenticator = createSoftwareAuthenticator();
    const registration = await portal.beginWebauthnRegistration();
    const passkey = await portal.finishWebauthnRegistration({
      challengeId: registration.challengeId,
      response: authenticator.register({ challenge: registration.options.challenge }),
      label: 'Laptop',
    });
    expect(passkey).toMatchObject({ status: 'active' });
    expect((await portal.generateRecoveryCodes()).codes).toHaveLength(10);
    expect(await portal.renameFactor({ factorId: user.factorId, label: 'Old phone' })).toEqual({ factorId: user.factorId, label: 'Old phone' });
    expect(await portal.removeFactor({ factorId: begun.factorId })).toEqual({ factorId: begun.factorId, status: 'revoked' });
    expect(await env.db.prisma.auditEvent.count({ where: { userId, type: 'enrollment.stepped_up' } })).toBe(1);

    // A step-up lapses after five minutes: the same session is refused again.
    await env.db.prisma.enrollmentLink.updateMany({
      where: { userId, steppedUpAt: { not: null } },
      data: { steppedUpAt: new Date(Date.now() - 5 * 60_000 - 1000) },
    });
    expect(await refusal(portal.generateRecoveryCodes())).toMatchObject(stepUpRequired);
    expect(await portal.session()).toMatchObject({ stepUp: 'required', stepUpKinds: ['webauthn', 'totp', 'recovery_codes'] });
  });

  it('accepts a recovery code or a passkey as the step-up, and re-checks at the finish of a passkey registration', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gatewayUrl(), withRecoveryCodes: true });
    const userId = await internalUserId(user.userId);
    const byCode = await openSession(user.apiKey, user.userId);
    expect(await byCode.stepUpRecoveryCode({ code: user.recoveryCodes[0] ?? '' })).toMatchObject({ outcome: 'accepted' });
    const authenticator = createSoftwareAuthenticator();
    const registration = await byCode.beginWebauthnRegistration();
    const response = authenticator.register({ challenge: registration.options.challenge });
    // The step-up lapses between begin and finish: the finish is refused and no credential is stored.
    await env.db.prisma.enrollmentLink.updateMany({ where: { userId, steppedUpAt: { not: null } }, data: { steppedUpAt: new Date(Date.now() - 6 * 60_000) } });
    expect(await refusal(byCode.finishWebauthnRegistration({ challengeId: registration.challengeId, response }))).toMatchObject(stepUpRequired);
    expect(await env.db.prisma.factor.count({ where: { userId, kind: 'webauthn' } })).toBe(0);
    expect(await byCode.stepUpRecoveryCode({ code: user.recoveryCodes[0] ?? '' })).toMatchObject({ outcome: 'rejected' }); // used up
    expect(await byCode.stepUpRecoveryCode({ code: user.recoveryCodes[1] ?? '' })).toMatchObject({ outcome: 'accepted' });
    const again = await byCode.beginWebauthnRegistration();
    await byCode.finishWebauthnRegistration({ challengeId: again.challengeId, response: authenticator.register({ challenge: again.options.challenge }) });

    // A later session steps up with the passkey.
    const byPasskey = await openSession(user.apiKey, user.userId);
    expect(await refusal(byPasskey.generateRecoveryCodes())).toMatchObject(stepUpRequired);
    const challenge = await byPasskey.stepUpWebauthnBegin();
    const assertion = authenticator.authenticate({ challenge: challenge.options.challenge });
    expect(await byPasskey.stepUpWebauthnFinish({ challengeId: challenge.challengeId, response: assertion })).toMatchObject({ outcome: 'accepted' });
    expect((await byPasskey.generateRecoveryCodes()).codes).toHaveLength(10);
  });

  it('never lets a link alone reset an account whose factors are locked: that is the application’s factors.revoke', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gatewayUrl() });
    await env.db.prisma.factor.update({ where: { id: user.factorId }, data: { lockedUntil: new Date('9999-12-31T23:59:59.999Z'), failedCount: 100 } });
    const portal = await openSession(user.apiKey, user.userId);
    expect(await portal.session()).toMatchObject({ stepUp: 'required', stepUpKinds: [] });
    expect(await refusal(portal.beginTotp())).toMatchObject(stepUpRequired);
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const lockedOut = await portal.stepUpTotp({ code });
    expect(lockedOut.outcome === 'rejected' ? lockedOut.reason : null).toMatch(/locked/);
    expect(await refusal(portal.beginTotp())).toMatchObject(stepUpRequired);

    // The application revokes the factor (after re-proving the user its own way): now a link may bind afresh.
    const app = createHoldfastClient({ gateways: [gatewayUrl()], apiKey: user.apiKey, probeIntervalMs: 0 });
    await app.revokeFactor({ userId: user.userId, factorId: user.factorId });
    const afterReset = await openSession(user.apiKey, user.userId);
    expect(await afterReset.session()).toMatchObject({ stepUp: 'not_needed' });
    expect((await afterReset.beginTotp()).secret).toMatch(/^[A-Z2-7]+$/);
  });

  it('caps bound factors per user: FACTOR_LIMIT_REACHED', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gatewayUrl() });
    const userId = await internalUserId(user.userId);
    // Eight more bound factors, written directly (only their count matters here): nine in all.
    await env.db.prisma.factor.createMany({
      data: Array.from({ length: 8 }, (_, i) => ({ userId, kind: 'webauthn' as const, label: `key ${i}`, status: 'active' as const })),
    });
    const portal = await openSession(user.apiKey, user.userId);
    const { code } = await freshCode(user.secret, user.confirmedStep);
    expect(await portal.stepUpTotp({ code, factorId: user.factorId })).toMatchObject({ outcome: 'accepted' });
    // The first recovery code set is the tenth factor; then nothing more can be added.
    expect((await portal.generateRecoveryCodes()).codes).toHaveLength(10);
    const full = await refusal(portal.beginTotp());
    expect(full).toBeInstanceOf(HoldfastApiError);
    expect(full).toMatchObject({ code: 'FACTOR_LIMIT_REACHED', httpStatus: 409 });
    expect(await refusal(portal.beginWebauthnRegistration())).toMatchObject({ code: 'FACTOR_LIMIT_REACHED' });
    // Replacing the set, or renaming, is not adding.
    expect((await portal.generateRecoveryCodes()).codes).toHaveLength(10);
    expect(await portal.renameFactor({ factorId: user.factorId, label: 'still here' })).toMatchObject({ label: 'still here' });
  });
});
