import { createApplication } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient, type HoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTrpc, startEnvironment } from './support/fixtures';
import { createSoftwareAuthenticator } from './support/software-authenticator';

const icloudAaguid = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';

describe('[WEBAUTHN] challenges are single use, bound to user and ceremony, and finish on any gateway', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  function gatewayUrls(): [string, string] {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    return [a.url, b.url];
  }

  /** A relying app, a user with a registered software authenticator, and an SDK client per gateway. */
  async function registeredUser(options: { aaguid?: string; backupEligible?: boolean } = {}) {
    const [urlA, urlB] = gatewayUrls();
    const { applicationId, apiKey } = await createApplication({ prisma: env.db.prisma, name: `webauthn-${Math.random().toString(36).slice(2, 8)}` });
    const userId = `user-${Math.random().toString(36).slice(2, 10)}`;
    const viaA = createHoldfastClient({ gateways: [urlA], apiKey, probeIntervalMs: 0 });
    const viaB = createHoldfastClient({ gateways: [urlB], apiKey, probeIntervalMs: 0 });
    const link = await viaA.createEnrollmentLink({ userId });
    const enrollment = createEnrollmentClient({ gateways: [urlA] });
    const { sessionToken } = await enrollment.redeem(link.token);
    const authenticator = createSoftwareAuthenticator({
      ...(options.aaguid === undefined ? {} : { aaguid: options.aaguid }),
      ...(options.backupEligible === undefined ? {} : { backupEligible: options.backupEligible }),
    });
    const begun = await enrollment.beginWebauthnRegistration();
    // The registration finishes on the other gateway: the challenge lives in the database.
    const finished = await postTrpc(
      urlB,
      'webauthn.finishRegistration',
      { challengeId: begun.challengeId, response: authenticator.register({ challenge: begun.options.challenge }), label: 'Blue key' },
      sessionToken,
    );
    expect(finished.status).toBe(200);
    return { applicationId, apiKey, userId, viaA, viaB, authenticator, sessionToken, enrollment };
  }

  async function assertion(
    client: HoldfastClient,
    userId: string,
    authenticator: ReturnType<typeof createSoftwareAuthenticator>,
    overrides: Parameters<typeof authenticator.authenticate>[0] extends infer T ? Partial<T> : never = {},
  ) {
    const begun = await client.webauthnBegin({ userId });
    return { challengeId: begun.challengeId, response: authenticator.authenticate({ challenge: begun.options.challenge, ...overrides }) };
  }

  async function auditTypes(userId: string): Promise<string[]> {
    const user = await env.db.prisma.user.findFirstOrThrow({ where: { externalId: userId }, select: { id: true } });
    const events = await env.db.prisma.auditEvent.findMany({ where: { userId: user.id }, orderBy: { id: 'asc' }, select: { type: true } });
    return events.map((event) => event.type);
  }

  it('registers a credential, lists it in preauth by name, and verifies a login begun on A and finished on B', async () => {
    const { userId, viaA, viaB, authenticator, enrollment } = await registeredUser({ aaguid: icloudAaguid });
    const preauth = await viaB.preauth({ userId });
    expect(preauth).toMatchObject({
      result: 'auth',
      factors: [{ kind: 'webauthn', label: 'Blue key', authenticatorName: 'iCloud Keychain', isLocked: false }],
    });
    expect((await enrollment.factors()).factors).toMatchObject([{ kind: 'webauthn', status: 'active', authenticatorName: 'iCloud Keychain' }]);

    const login = await assertion(viaA, userId, authenticator);
    const result = await viaB.webauthnFinish({ userId, attemptId: 'webauthn-login-0001', ...login });
    expect(result).toMatchObject({ outcome: 'accepted', reason: null, gatewayId: 'gw-b' });
    // A retry with the same attempt id gets the recorded outcome (invariant 3)…
    expect(await viaA.webauthnFinish({ userId, attemptId: 'webauthn-login-0001', ...login })).toMatchObject({ outcome: 'accepted', gatewayId: 'gw-b' });
    // …the same assertion under a new attempt id is a replay: its challenge is consumed (invariant 5).
    expect(await viaA.webauthnFinish({ userId, attemptId: 'webauthn-login-0002', ...login })).toMatchObject({ outcome: 'rejected', reason: 'replay' });
    expect(await auditTypes(userId)).toEqual(expect.arrayContaining(['webauthn.registered', 'verify.accepted', 'verify.rejected']));
  });

  it('refuses a registration challenge for an authentication, even with a valid signature over it', async () => {
    const { apiKey, userId, authenticator, sessionToken } = await registeredUser();
    const [urlA, urlB] = gatewayUrls();
    const registration = await postTrpc(urlA, 'webauthn.beginRegistration', undefined, sessionToken);
    const begun = (registration.json as { result: { data: { challengeId: string; options: { challenge: string } } } }).result.data;
    for (const type of ['webauthn.get', 'webauthn.create'] as const) {
      const response = authenticator.authenticate({ challenge: begun.options.challenge, type });
      const refused = await postTrpc(
        urlB,
        'verify.webauthnFinish',
        { userId, attemptId: `cross-ceremony-${type}`, challengeId: begun.challengeId, response },
        apiKey,
      );
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ error: { data: { holdfastCode: 'WEBAUTHN_CHALLENGE_INVALID' } } });
    }
    // …and the registration challenge is still unconsumed: the refusal changed nothing.
    const row = await env.db.prisma.webauthnChallenge.findUniqueOrThrow({ where: { id: begun.challengeId } });
    expect(row.consumedAt).toBeNull();
  });

  it("refuses an expired challenge, and another user's", async () => {
    const alice = await registeredUser();
    const expired = await assertion(alice.viaA, alice.userId, alice.authenticator);
    await env.db.pool.query("UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE id = $1", [expired.challengeId]);
    const [urlA] = gatewayUrls();
    const late = await postTrpc(urlA, 'verify.webauthnFinish', { userId: alice.userId, attemptId: 'expired-0001', ...expired }, alice.apiKey);
    expect(late.json).toMatchObject({ error: { data: { holdfastCode: 'WEBAUTHN_CHALLENGE_INVALID' } } });

    // Bob (same application) begins; Alice's authenticator answers Bob's challenge as Alice.
    const link = await alice.viaA.createEnrollmentLink({ userId: 'bob' });
    const bobEnrollment = createEnrollmentClient({ gateways: [urlA] });
    await bobEnrollment.redeem(link.token);
    const bobKey = createSoftwareAuthenticator();
    const bobBegun = await bobEnrollment.beginWebauthnRegistration();
    await bobEnrollment.finishWebauthnRegistration({ challengeId: bobBegun.challengeId, response: bobKey.register({ challenge: bobBegun.options.challenge }) });
    const bobChallenge = await alice.viaA.webauthnBegin({ userId: 'bob' });
    const stolen = await postTrpc(
      urlA,
      'verify.webauthnFinish',
      {
        userId: alice.userId,
        attemptId: 'other-user-0001',
        challengeId: bobChallenge.challengeId,
        response: alice.authenticator.authenticate({ challenge: bobChallenge.options.challenge }),
      },
      alice.apiKey,
    );
    expect(stolen.json).toMatchObject({ error: { data: { holdfastCode: 'WEBAUTHN_CHALLENGE_INVALID' } } });
  });

  it('finishes a registration once: the same challenge cannot register a second credential', async () => {
    const { sessionToken } = await registeredUser();
    const [urlA, urlB] = gatewayUrls();
    const begun = (await postTrpc(urlA, 'webauthn.beginRegistration', undefined, sessionToken)).json as {
      result: { data: { challengeId: string; options: { challenge: string } } };
    };
    const { challengeId, options } = begun.result.data;
    const first = await postTrpc(
      urlA,
      'webauthn.finishRegistration',
      { challengeId, response: createSoftwareAuthenticator().register({ challenge: options.challenge }) },
      sessionToken,
    );
    const second = await postTrpc(
      urlB,
      'webauthn.finishRegistration',
      { challengeId, response: createSoftwareAuthenticator().register({ challenge: options.challenge }) },
      sessionToken,
    );
    expect(first.status).toBe(200);
    expect(second.json).toMatchObject({ error: { data: { holdfastCode: 'WEBAUTHN_CHALLENGE_INVALID' } } });
  });

  it('[WEBAUTHN_CLONE] [CLONE_SUSPENDS] a counter that goes back suspends the credential: later valid assertions are refused', async () => {
    const { applicationId, userId, viaA, viaB, authenticator } = await registeredUser();
    const earlier = await assertion(viaA, userId, authenticator); // counter 1
    const later = await assertion(viaA, userId, authenticator); // counter 2
    const afterwards = await assertion(viaA, userId, authenticator); // counter 3, begun before the clone shows
    expect(await viaB.webauthnFinish({ userId, ...later })).toMatchObject({ outcome: 'accepted' });
    // Valid signature, fresh challenge, but the counter went back: two copies of one key exist.
    expect(await viaB.webauthnFinish({ userId, ...earlier })).toMatchObject({ outcome: 'rejected', reason: 'clone_suspected' });
    // Either copy's next assertion, counter moving forward and all, is refused: the credential is suspended.
    expect(await viaA.webauthnFinish({ userId, ...afterwards })).toMatchObject({ outcome: 'rejected', reason: 'factor_not_active' });
    const factor = await env.db.prisma.factor.findFirstOrThrow({ where: { kind: 'webauthn', user: { applicationId, externalId: userId } } });
    expect(factor.status).toBe('suspended');
    // Not offered for a login any more either (its only factor: nothing to verify with).
    await expect.poll(() => viaB.preauth({ userId })).toEqual({ result: 'enroll' });
    const types = await auditTypes(userId);
    expect(types.filter((type) => type === 'webauthn.clone_suspected')).toHaveLength(1);
    expect(types.filter((type) => type === 'factor.suspended')).toHaveLength(1);
    const suspended = await env.db.prisma.auditEvent.findFirstOrThrow({ where: { type: 'factor.suspended', factorId: factor.id } });
    expect(suspended.detail).toMatchObject({ kind: 'webauthn', reason: 'clone_suspected' });
  });

  it('[WEBAUTHN_BACKUP_ELIGIBLE] refuses an assertion whose backup-eligible flag differs from the registered one, and audits it', async () => {
    const single = await registeredUser();
    const flipped = await assertion(single.viaA, single.userId, single.authenticator, { backupEligible: true });
    expect(await single.viaB.webauthnFinish({ userId: single.userId, ...flipped })).toMatchObject({ outcome: 'rejected', reason: 'verification_failed' });
    expect(await single.viaB.webauthnFinish({ userId: single.userId, ...(await assertion(single.viaA, single.userId, single.authenticator)) })).toMatchObject({
      outcome: 'accepted',
    });
    const synced = await registeredUser({ backupEligible: true });
    const unflagged = await assertion(synced.viaA, synced.userId, synced.authenticator, { backupEligible: false });
    expect(await synced.viaA.webauthnFinish({ userId: synced.userId, ...unflagged })).toMatchObject({ outcome: 'rejected', reason: 'verification_failed' });
    expect(await synced.viaA.webauthnFinish({ userId: synced.userId, ...(await assertion(synced.viaA, synced.userId, synced.authenticator)) })).toMatchObject({
      outcome: 'accepted',
    });
    for (const { userId } of [single, synced]) {
      expect((await auditTypes(userId)).filter((type) => type === 'webauthn.backup_eligibility_changed')).toHaveLength(1);
    }
  });

  it("[WEBAUTHN_UV] enforces the application's user-verification policy, and its allowed origins", async () => {
    const { applicationId, userId, viaA, authenticator } = await registeredUser();
    const withoutUv = await assertion(viaA, userId, authenticator, { isUserVerified: false });
    await env.db.prisma.application.update({ where: { id: applicationId }, data: { userVerification: 'required' } });
    expect(await viaA.webauthnFinish({ userId, ...withoutUv })).toMatchObject({ outcome: 'rejected', reason: 'verification_failed' });
    expect(await viaA.webauthnFinish({ userId, ...(await assertion(viaA, userId, authenticator)) })).toMatchObject({ outcome: 'accepted' });
    const phished = await assertion(viaA, userId, authenticator, { origin: 'https://login.example.evil' });
    expect(await viaA.webauthnFinish({ userId, ...phished })).toMatchObject({ outcome: 'rejected', reason: 'verification_failed' });
  });

  it('[WEBAUTHN_HTTP_ORIGIN] an http origin is honoured only on localhost: one stored from before the rule binds nothing', async () => {
    const { applicationId, userId, viaA, authenticator } = await registeredUser();
    // Rows written before the CHECK existed are not re-validated; the gateway ignores such origins.
    await env.db.pool.query('ALTER TABLE applications DROP CONSTRAINT applications_allowed_origins_secure');
    try {
      await env.db.pool.query("UPDATE applications SET allowed_origins = ARRAY['http://localhost:3000', 'http://portal.example.com'] WHERE id = $1", [
        applicationId,
      ]);
    } finally {
      await env.db.pool.query(
        'ALTER TABLE applications ADD CONSTRAINT applications_allowed_origins_secure CHECK (holdfast_are_secure_urls(allowed_origins)) NOT VALID',
      );
    }
    const overHttp = await assertion(viaA, userId, authenticator, { origin: 'http://portal.example.com' });
    expect(await viaA.webauthnFinish({ userId, ...overHttp })).toMatchObject({ outcome: 'rejected', reason: 'verification_failed' });
    expect(await viaA.webauthnFinish({ userId, ...(await assertion(viaA, userId, authenticator)) })).toMatchObject({ outcome: 'accepted' });
  });

  it('refuses malformed responses with a 400 before touching the database', async () => {
    const { apiKey, userId } = await registeredUser();
    const [urlA] = gatewayUrls();
    const challengeId = '00000000-0000-4000-8000-000000000000';
    const bad = [
      { userId, attemptId: 'bad-webauthn-1', challengeId, response: { id: 'x' } },
      { userId, attemptId: 'bad-webauthn-2', challengeId: 'not-a-uuid', response: {} },
      {
        userId,
        attemptId: 'bad-webauthn-3',
        challengeId,
        response: {
          id: 'a',
          rawId: 'a',
          type: 'public-key',
          clientExtensionResults: {},
          response: { clientDataJSON: 'not base64url!', authenticatorData: 'a', signature: 'a' },
        },
      },
    ];
    for (const body of bad) {
      const refused = await postTrpc(urlA, 'verify.webauthnFinish', body, apiKey);
      expect(refused.status).toBe(400);
      expect(refused.json).toMatchObject({ error: { data: { holdfastCode: 'BAD_REQUEST' } } });
    }
  });
});
