import { pushSignatureAudience } from '@holdfast/core';
import { createApplication } from '@holdfast/db';
import { createHoldfastClient, createEnrollmentClient } from '@holdfast/sdk';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { enrollTotpUser } from './support/fixtures';
import {
  createPushDeviceKeys,
  createPushPairing,
  enrollPushUser,
  fakePushSubscription,
  openSteppedUpSession,
  pairPushDevice,
  trpcMutation,
  trpcQuery,
  updateDeviceSubscription,
} from './support/push-device';
import { useTwoGatewayEnvironment } from './support/two-gateways';

/**
 * Issue 11, pairing: the portal (after step-up) makes a one-time pairing link; the PWA registers
 * its public key, subscription and name with it. A paired device is a `push` factor.
 */
describe('[PUSH_PAIR] a phone pairs once, with a strict public key and an allowed push service, as a push factor', () => {
  const env = useTwoGatewayEnvironment();

  async function auditTypes(userId: string): Promise<string[]> {
    const rows = await env.db.pool.query<{ type: string }>('SELECT type FROM audit_events WHERE user_id = $1 ORDER BY id', [userId]);
    return rows.rows.map((row) => row.type);
  }

  it('pairs through the portal link on one gateway and push.pairDevice on another: factor, device row, audit, encrypted subscription', async () => {
    const [a, b] = env.urls();
    // The first use on two gateways at once makes ONE VAPID key (the deployment's), whichever gateway is asked.
    const [configA, configB] = await Promise.all([trpcQuery(a, 'push.config', undefined), trpcQuery(b, 'push.config', {})]);
    expect((await env.db.pool.query('SELECT id FROM vapid_keys')).rowCount).toBe(1);
    expect(configA.data).toEqual(configB.data);

    const subscription = fakePushSubscription();
    const user = await enrollPushUser({ db: env.db, gatewayUrl: a, pairGatewayUrl: b, subscription, name: 'Ana’s phone' });
    const { device } = user;
    expect(device).toMatchObject({ applicationId: user.applicationId, userId: user.userId, applicationName: expect.any(String) as string });
    expect(device.audience).toBe(pushSignatureAudience({ origin: 'http://localhost:3002', applicationId: user.applicationId }));
    expect(configA.data).toEqual({ vapidPublicKey: device.vapidPublicKey });
    const point = Buffer.from(device.vapidPublicKey, 'base64url');
    expect([point.length, point[0]]).toEqual([65, 4]);

    const factor = await env.db.prisma.factor.findUniqueOrThrow({ where: { id: device.deviceId }, include: { pushDevice: true } });
    expect(factor).toMatchObject({ kind: 'push', status: 'active', label: 'Ana’s phone' });
    expect(factor.pushDevice?.publicJwk).toEqual(device.publicJwk);
    const stored = factor.pushDevice?.subscriptionEnc ?? '';
    expect(stored).not.toBe('');
    for (const secret of [subscription.endpoint, subscription.keys.p256dh, subscription.keys.auth]) expect(stored).not.toContain(secret);

    const types = await auditTypes(factor.userId);
    expect(types).toEqual(expect.arrayContaining(['push.pairing_created', 'push.device_paired', 'factor.enrolled']));
    const paired = await env.db.pool.query<{ detail: Record<string, unknown> }>(
      `SELECT detail FROM audit_events WHERE type = 'push.device_paired' AND factor_id = $1`,
      [device.deviceId],
    );
    expect(paired.rows[0]?.detail).toMatchObject({ pushService: 'fcm.googleapis.com' });

    // The portal's factor list (on the other gateway) shows it at once.
    const factors = await trpcQuery(b, 'enrollment.factors', undefined, user.sessionToken);
    expect(factors.data).toMatchObject({
      factors: expect.arrayContaining([expect.objectContaining({ id: device.deviceId, kind: 'push', status: 'active' })]) as unknown,
    });
  });

  it('the pairing link is a fragment on the push app, inspectable without being spent, and redeemable exactly once across gateways', async () => {
    const [a, b] = env.urls();
    const user = await enrollPushUser({ db: env.db, gatewayUrl: a });
    const pairing = await createPushPairing({ gatewayUrl: a, sessionToken: user.sessionToken });
    expect(pairing.pairingUrl).toMatch(/^http:\/\/localhost:3002\/pair#[A-Za-z0-9_-]{43}$/u);
    expect(new Date(pairing.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    const inspected = await trpcQuery(b, 'push.inspectPairing', { pairingToken: pairing.pairingToken });
    expect(inspected.data).toMatchObject({ userId: user.userId, applicationName: user.device.applicationName });
    // Inspecting twice spends nothing; only the hash is stored.
    expect((await trpcQuery(a, 'push.inspectPairing', { pairingToken: pairing.pairingToken })).status).toBe(200);
    const tokenHash = createHash('sha256').update(pairing.pairingToken).digest();
    expect((await env.db.pool.query('SELECT 1 FROM push_pairing_tokens WHERE token_hash = $1 AND redeemed_at IS NULL', [tokenHash])).rowCount).toBe(1);

    // Eight devices race for one token over two gateways: exactly one pairs.
    const attempts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        trpcMutation(i % 2 === 0 ? a : b, 'push.pairDevice', {
          pairingToken: pairing.pairingToken,
          publicKeyJwk: createPushDeviceKeys().publicJwk,
          subscription: null,
          name: `racer ${String(i)}`,
        }),
      ),
    );
    expect(attempts.filter((r) => r.status === 200)).toHaveLength(1);
    expect(attempts.filter((r) => r.status !== 200).map((r) => [r.status, r.code])).toEqual(Array.from({ length: 7 }, () => [401, 'PUSH_PAIRING_INVALID']));
    expect(await trpcQuery(a, 'push.inspectPairing', { pairingToken: pairing.pairingToken })).toMatchObject({ status: 401, code: 'PUSH_PAIRING_INVALID' });
    const internal = await env.db.prisma.user.findFirstOrThrow({ where: { externalId: user.userId }, select: { id: true } });
    expect(await env.db.prisma.factor.count({ where: { userId: internal.id, kind: 'push' } })).toBe(2);

    // Unknown and expired tokens get the same answer.
    const expired = await createPushPairing({ gatewayUrl: a, sessionToken: user.sessionToken });
    await env.db.pool.query(
      `UPDATE push_pairing_tokens SET created_at = now() - interval '11 minutes', expires_at = now() - interval '1 minute' WHERE token_hash = $1`,
      [createHash('sha256').update(expired.pairingToken).digest()],
    );
    for (const pairingToken of [expired.pairingToken, 'A'.repeat(43)]) {
      const refused = await trpcMutation(b, 'push.pairDevice', {
        pairingToken,
        publicKeyJwk: createPushDeviceKeys().publicJwk,
        subscription: null,
        name: 'late',
      });
      expect([refused.status, refused.code]).toEqual([401, 'PUSH_PAIRING_INVALID']);
    }
  });

  it('needs a step-up before a pairing link is made for a user who has a factor', async () => {
    const [a] = env.urls();
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const link = await createHoldfastClient({ gateways: [a], apiKey: user.apiKey, probeIntervalMs: 0 }).createEnrollmentLink({ userId: user.userId });
    const { sessionToken } = await createEnrollmentClient({ gateways: [a] }).redeem(link.token);
    const refused = await trpcMutation(a, 'enrollment.createPushPairing', undefined, sessionToken);
    expect([refused.status, refused.code]).toEqual([403, 'STEP_UP_REQUIRED']);
    expect(
      (await env.db.pool.query('SELECT 1 FROM push_pairing_tokens t JOIN users u ON u.id = t.user_id WHERE u.external_id = $1', [user.userId])).rowCount,
    ).toBe(0);
    // After a step-up it works.
    const session = await openSteppedUpSession({
      gatewayUrl: a,
      apiKey: user.apiKey,
      userId: user.userId,
      totp: { secret: user.secret, lastStep: user.confirmedStep },
    });
    expect((await createPushPairing({ gatewayUrl: a, sessionToken: session.sessionToken })).pairingToken).toHaveLength(43);
  });

  it('a link made as the first factor binds only while it is the first, dies with its session, and a first pairing steps the session up', async () => {
    const [a, b] = env.urls();
    const { apiKey } = await createApplication({ prisma: env.db.prisma, name: 'first-binding app' });
    const app = createHoldfastClient({ gateways: [a], apiKey, probeIntervalMs: 0 });
    const portal = createEnrollmentClient({ gateways: [a] });
    const userId = `first-${Date.now().toString(36)}`;
    const { sessionToken } = await portal.redeem((await app.createEnrollmentLink({ userId })).token);
    // No factor yet: two pairing links, both made as the first factor (no step-up possible).
    const first = await createPushPairing({ gatewayUrl: a, sessionToken });
    const second = await createPushPairing({ gatewayUrl: a, sessionToken });
    const third = await createPushPairing({ gatewayUrl: a, sessionToken });
    await pairPushDevice({ gatewayUrl: b, pairingToken: first.pairingToken });
    // The first pairing is the user's proof, as a confirmed TOTP code is: the session is stepped up.
    const session = await trpcQuery(a, 'enrollment.session', undefined, sessionToken);
    expect(session.data).toMatchObject({ stepUp: 'fresh' });
    // The second link was made as a first factor too. It is no longer one: it binds only within
    // the session's step-up — here made stale, as if 10 minutes had passed.
    await env.db.pool.query(
      `UPDATE enrollment_links SET stepped_up_at = now() - interval '10 minutes' WHERE stepped_up_at IS NOT NULL AND user_id = (SELECT id FROM users WHERE external_id = $1)`,
      [userId],
    );
    const stale = await trpcMutation(b, 'push.pairDevice', {
      pairingToken: second.pairingToken,
      publicKeyJwk: createPushDeviceKeys().publicJwk,
      subscription: null,
      name: 'Second',
    });
    expect([stale.status, stale.code]).toEqual([401, 'PUSH_PAIRING_INVALID']);
    const pushFactors = await env.db.pool.query(`SELECT 1 FROM factors f JOIN users u ON u.id = f.user_id WHERE u.external_id = $1 AND f.kind = 'push'`, [
      userId,
    ]);
    expect(pushFactors.rowCount).toBe(1);

    // A pairing link dies with the session that made it (logout, or a newer link).
    expect((await trpcMutation(a, 'enrollment.logout', undefined, sessionToken)).status).toBe(200);
    const afterLogout = await trpcMutation(b, 'push.pairDevice', {
      pairingToken: third.pairingToken,
      publicKeyJwk: createPushDeviceKeys().publicJwk,
      subscription: null,
      name: 'Late phone',
    });
    expect([afterLogout.status, afterLogout.code]).toEqual([401, 'PUSH_PAIRING_INVALID']);

    // Two first-binding links in two sessions: the newer link ends the older session, so only one binds.
    const raceUser = `race-${Date.now().toString(36)}`;
    const sessionA = (await portal.redeem((await app.createEnrollmentLink({ userId: raceUser })).token)).sessionToken;
    const linkA = await createPushPairing({ gatewayUrl: a, sessionToken: sessionA });
    const sessionB = (await createEnrollmentClient({ gateways: [b] }).redeem((await app.createEnrollmentLink({ userId: raceUser })).token)).sessionToken;
    const linkB = await createPushPairing({ gatewayUrl: b, sessionToken: sessionB });
    const fromOld = await trpcMutation(a, 'push.pairDevice', {
      pairingToken: linkA.pairingToken,
      publicKeyJwk: createPushDeviceKeys().publicJwk,
      subscription: null,
      name: 'Old',
    });
    expect(fromOld.code).toBe('PUSH_PAIRING_INVALID');
    await pairPushDevice({ gatewayUrl: a, pairingToken: linkB.pairingToken });
    const bound = await env.db.pool.query(`SELECT 1 FROM factors f JOIN users u ON u.id = f.user_id WHERE u.external_id = $1 AND f.kind = 'push'`, [raceUser]);
    expect(bound.rowCount).toBe(1);
  });

  it('refuses a private key, a foreign key type, and push services outside HOLDFAST_PUSH_SERVICE_HOSTS — without spending the token', async () => {
    const [a, b] = env.urls();
    const user = await enrollPushUser({ db: env.db, gatewayUrl: a });
    const pairing = await createPushPairing({ gatewayUrl: a, sessionToken: user.sessionToken });
    const keys = createPushDeviceKeys();
    const privateJwk = keys.privateKey.export({ format: 'jwk' });
    const pair = (publicKeyJwk: unknown, subscription: unknown) =>
      trpcMutation(b, 'push.pairDevice', { pairingToken: pairing.pairingToken, publicKeyJwk, subscription, name: 'phone' });

    expect(await pair(privateJwk, null)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(await pair({ ...keys.publicJwk, crv: 'P-384' }, null)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    const good = fakePushSubscription();
    const badEndpoints = [
      'https://attacker.example/push',
      'https://169.254.169.254/latest/meta-data',
      'https://127.0.0.1:5432/',
      'https://user:pass@fcm.googleapis.com/fcm/send/x',
      'https://fcm.googleapis.com:8443/fcm/send/x',
      'https://fcm.googleapis.com.attacker.example/x',
      'https://notify.windows.com/x',
      'http://fcm.googleapis.com/fcm/send/x',
    ];
    for (const endpoint of badEndpoints) {
      expect({ endpoint, ...(await pair(keys.publicJwk, { ...good, endpoint })) }).toMatchObject({ endpoint, status: 400, code: 'BAD_REQUEST' });
    }
    // Subdomains of a `*.` pattern are allowed, and the token was never spent by the refusals above.
    const device = await pairPushDevice({
      gatewayUrl: b,
      pairingToken: pairing.pairingToken,
      keys,
      subscription: { ...good, endpoint: 'https://db5p.notify.windows.com/w/?token=abc' },
    });
    expect(device.deviceId).toMatch(/^[0-9a-f-]{36}$/u);
  });

  it('a paired device updates its subscription with a signed request: re-encrypted, gone mark cleared, audited only when it changed', async () => {
    const [a, b] = env.urls();
    const user = await enrollPushUser({ db: env.db, gatewayUrl: a, subscription: null });
    const { device } = user;
    const fresh = fakePushSubscription();
    const auditCount = async (): Promise<number> =>
      (await env.db.pool.query(`SELECT 1 FROM audit_events WHERE type = 'push.subscription_updated' AND factor_id = $1`, [device.deviceId])).rowCount ?? 0;
    const storedRow = () => env.db.prisma.pushDevice.findUniqueOrThrow({ where: { factorId: device.deviceId }, omit: { subscriptionEnc: false } });

    expect(await updateDeviceSubscription(b, device.signSubscriptionUpdate({ subscription: fresh }))).toMatchObject({ status: 200, data: { ok: true } });
    const stored = await storedRow();
    expect(stored.subscriptionEnc).not.toBeNull();
    for (const secret of [fresh.endpoint, fresh.keys.p256dh, fresh.keys.auth]) expect(stored.subscriptionEnc).not.toContain(secret);
    expect(await auditCount()).toBe(1);
    // The same subscription again (every app open re-sends it): nothing to record.
    expect((await updateDeviceSubscription(a, device.signSubscriptionUpdate({ subscription: fresh }))).status).toBe(200);
    expect(await auditCount()).toBe(1);
    // Its push service said it is gone; the device re-sends it: the mark is cleared.
    await env.db.pool.query('UPDATE push_devices SET subscription_gone_at = now() WHERE factor_id = $1', [device.deviceId]);
    expect((await updateDeviceSubscription(a, device.signSubscriptionUpdate({ subscription: fresh }))).status).toBe(200);
    expect((await storedRow()).subscriptionGoneAt).toBeNull();
    expect(await auditCount()).toBe(2);

    // Refused: a signature over another endpoint (a redirect of the device's pushes), a host outside the list, a stale clock.
    const signed = device.signSubscriptionUpdate({ subscription: fresh });
    const hijack = { ...signed, subscription: { ...fresh, endpoint: 'https://fcm.googleapis.com/fcm/send/attacker' } };
    expect(await updateDeviceSubscription(a, hijack)).toMatchObject({ status: 403, code: 'PUSH_REQUEST_REFUSED' });
    const outside = { ...fresh, endpoint: 'https://push.attacker.example/x' };
    expect(await updateDeviceSubscription(a, device.signSubscriptionUpdate({ subscription: outside }))).toMatchObject({
      status: 403,
      code: 'PUSH_REQUEST_REFUSED',
    });
    expect(await updateDeviceSubscription(a, device.signSubscriptionUpdate({ subscription: fresh, deviceTime: Date.now() - 120_000 }))).toMatchObject({
      status: 403,
      code: 'PUSH_REQUEST_REFUSED',
    });
    const reasons = await env.db.pool.query<{ reason: string }>(
      `SELECT detail->>'reason' AS reason FROM audit_events WHERE type = 'push.answer_refused' AND factor_id = $1 ORDER BY id`,
      [device.deviceId],
    );
    expect(reasons.rows.map((row) => row.reason)).toEqual(['signature_mismatch', 'subscription_host_not_allowed', 'device_clock_skew']);
    expect(await auditCount()).toBe(2);
  });
});
