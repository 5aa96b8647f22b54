import { decryptPushJson, startPushService, type LocalPushService } from '@holdfast/process/push-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvironment } from './support/fixtures';
import { beginPush } from './support/push-device';
import { createPushApplication, seedPushUser } from './support/push-seed';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Web Push delivery (issue 11) through the real `web-push` library to a local HTTPS push service
// that checks VAPID (RFC 8292) and decrypts the payload (RFC 8291) with the device's keys.
describe('push delivery', () => {
  let service: LocalPushService;
  let elsewhere: LocalPushService;
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let a: string;

  beforeAll(async () => {
    service = await startPushService();
    // A push service the deployment does not allow (HOLDFAST_PUSH_SERVICE_HOSTS names only `service`).
    elsewhere = await startPushService();
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_PUSH_CA_FILE: service.caFile, HOLDFAST_PUSH_SERVICE_HOSTS: service.host } });
    a = env.gateways[0]?.url ?? '';
  });
  afterAll(async () => {
    await env.stop();
    await service.stop();
    await elsewhere.stop();
  });

  it('sends each device an encrypted push: valid VAPID, TTL = seconds left, Urgency high, Topic = the id; the payload never has the number', async () => {
    const app = await createPushApplication(env.db);
    const phone = service.createSubscription({ name: 'phone' });
    const tablet = service.createSubscription({ name: 'tablet' });
    const user = await seedPushUser(env.db, app, { subscriptions: [phone.subscription, tablet.subscription] });
    const begun = await beginPush(a, user);
    expect(begun.deviceCount).toBe(2);
    const { rows: vapid } = await env.db.pool.query<{ public_key: string }>('SELECT public_key FROM vapid_keys');
    for (const device of [phone, tablet]) {
      const request = await service.waitForRequest(device.subscription.endpoint);
      expect(request.status).toBe(201);
      expect(request.vapid).toMatchObject({
        isValid: true,
        publicKey: vapid[0]?.public_key,
        claims: { aud: service.origin, sub: 'mailto:security@holdfast.invalid' },
      });
      const ttl = Number(request.headers.ttl);
      expect(ttl).toBeGreaterThanOrEqual(55);
      expect(ttl).toBeLessThanOrEqual(60);
      expect(request.headers.urgency).toBe('high');
      expect(request.headers.topic).toBe(begun.transactionId.replace(/-/g, ''));
      expect(request.headers.topic).toHaveLength(32);
      const payload = decryptPushJson(request.body, device);
      expect(payload).toEqual({ transactionId: begun.transactionId, applicationName: expect.any(String) as unknown, expiresAt: begun.expiresAt });
      expect(JSON.stringify(payload)).not.toContain(`"${begun.number}"`);
      expect(Object.keys(payload as object).sort()).toEqual(['applicationName', 'expiresAt', 'transactionId']);
    }
    await sleep(300);
    const sent = await env.db.prisma.auditEvent.findMany({ where: { userId: user.userRowId, type: 'push.sent' } });
    expect(sent.map((row) => row.detail)).toEqual([{ transactionId: begun.transactionId, devices: 2, delivered: 2, failed: 0, gone: 0, refusedHost: 0 }]);
  });

  it('[PUSH_GONE_410] a 410 (or 404) endpoint: the subscription is removed and audited, pushBegin still succeeds, the next push skips it', async () => {
    const app = await createPushApplication(env.db);
    const gone = service.createSubscription({ name: 'gone', behaviour: { status: 410 } });
    const missing = service.createSubscription({ name: 'missing', behaviour: { status: 404 } });
    const alive = service.createSubscription({ name: 'alive' });
    const user = await seedPushUser(env.db, app, { subscriptions: [gone.subscription, missing.subscription, alive.subscription] });
    const begun = await beginPush(a, user);
    expect(begun).toMatchObject({ status: 'pending', deviceCount: 3 });
    await service.waitForRequest(gone.subscription.endpoint);
    await service.waitForRequest(missing.subscription.endpoint);
    await service.waitForRequest(alive.subscription.endpoint);
    await sleep(300);
    const devices = await env.db.prisma.pushDevice.findMany({ where: { userId: user.userRowId } });
    const byId = new Map(devices.map((device) => [device.factorId, device]));
    for (const deviceId of [user.deviceIds[0], user.deviceIds[1]]) {
      expect(byId.get(deviceId ?? '')).toMatchObject({ subscriptionEnc: null, subscriptionGoneAt: expect.any(Date) as unknown });
    }
    expect(byId.get(user.deviceIds[2] ?? '')?.subscriptionEnc).not.toBeNull();
    const goneAudits = await env.db.prisma.auditEvent.findMany({ where: { userId: user.userRowId, type: 'push.subscription_gone' }, orderBy: { id: 'asc' } });
    expect(goneAudits.map((row) => row.factorId).sort()).toEqual([user.deviceIds[0], user.deviceIds[1]].sort());
    for (const row of goneAudits) {
      // The push service's host only: an endpoint's path is a capability.
      expect(JSON.stringify(row.detail)).not.toContain('/push/');
      expect(row.detail).toMatchObject({ host: service.host, transactionId: begun.transactionId });
    }
    const sent = await env.db.prisma.auditEvent.findFirst({ where: { userId: user.userRowId, type: 'push.sent' } });
    expect(sent?.detail).toMatchObject({ devices: 3, delivered: 1, gone: 2 });
    // The transaction lives on: the device can still list and answer it.
    const row = await env.db.prisma.pushTransaction.findUniqueOrThrow({ where: { id: begun.transactionId } });
    expect(row.status).toBe('pending');
    await env.db.pool.query("UPDATE push_transactions SET status = 'denied', reason = 'denied_by_user', decided_at = now() WHERE id = $1", [
      begun.transactionId,
    ]);
    const next = await beginPush(a, user);
    expect(next.deviceCount).toBe(1);
    await service.waitForRequest(alive.subscription.endpoint, { after: 1 });
    await sleep(200);
    expect(service.requestsFor(gone.subscription.endpoint)).toHaveLength(1);
  });

  it('an endpoint whose host is not in HOLDFAST_PUSH_SERVICE_HOSTS is never contacted (SSRF), and pushBegin succeeds', async () => {
    const app = await createPushApplication(env.db);
    const outside = elsewhere.createSubscription({ name: 'outside' });
    const user = await seedPushUser(env.db, app, { subscriptions: [outside.subscription] });
    const begun = await beginPush(a, user);
    expect(begun.status).toBe('pending');
    await sleep(1000);
    expect(elsewhere.requests).toHaveLength(0);
    const sent = await env.db.prisma.auditEvent.findFirst({ where: { userId: user.userRowId, type: 'push.sent' } });
    expect(sent?.detail).toMatchObject({ devices: 1, delivered: 0, refusedHost: 1 });
  });
});
