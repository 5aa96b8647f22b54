import https from 'node:https';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkVapidAuthorization, decryptPushJson, startPushService, type LocalPushService } from './push-service';

// The round trip through the real `web-push` library: VAPID per RFC 8292, aes128gcm per RFC 8291.
describe('local push service', () => {
  let service: LocalPushService;
  let agent: https.Agent;
  const vapid = webpush.generateVAPIDKeys();
  const vapidDetails = { subject: 'mailto:security@holdfast.invalid', publicKey: vapid.publicKey, privateKey: vapid.privateKey };

  beforeAll(async () => {
    service = await startPushService();
    agent = new https.Agent({ ca: service.caPem });
  });
  afterAll(async () => {
    agent.destroy();
    await service.stop();
  });

  it('accepts a web-push request over its self-signed TLS, checks VAPID and decrypts the payload', async () => {
    const device = service.createSubscription({ name: 'phone' });
    const payload = { transactionId: '0190a0b0-0000-7000-8000-000000000001', applicationName: 'Demo', expiresAt: '2026-11-29T00:01:00.000Z' };
    const result = await webpush.sendNotification(device.subscription, JSON.stringify(payload), {
      vapidDetails,
      TTL: 42,
      urgency: 'high',
      topic: '0190a0b000007000800000000000000a',
      agent,
    });
    expect(result.statusCode).toBe(201);
    const request = await service.waitForRequest(device.subscription.endpoint);
    expect(request.vapid.isValid).toBe(true);
    if (request.vapid.isValid) {
      expect(request.vapid.publicKey).toBe(vapid.publicKey);
      expect(request.vapid.claims.aud).toBe(service.origin);
      expect(request.vapid.claims.sub).toBe(vapidDetails.subject);
    }
    expect(request.headers.ttl).toBe('42');
    expect(request.headers.urgency).toBe('high');
    expect(request.headers.topic).toBe('0190a0b000007000800000000000000a');
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(decryptPushJson(request.body, device)).toEqual(payload);
    // Another device's keys cannot read it.
    const other = service.createSubscription();
    expect(() => decryptPushJson(request.body, other)).toThrow();
  });

  it('answers 410 / 404 / 429 per endpoint, as configured', async () => {
    const gone = service.createSubscription({ behaviour: { status: 410 } });
    const missing = service.createSubscription();
    service.respondWith(missing.subscription.endpoint, { status: 404 });
    const busy = service.createSubscription({ behaviour: { status: 429, headers: { 'retry-after': '7' } } });
    await expect(webpush.sendNotification(gone.subscription, 'x', { vapidDetails, agent })).rejects.toMatchObject({ statusCode: 410 });
    await expect(webpush.sendNotification(missing.subscription, 'x', { vapidDetails, agent })).rejects.toMatchObject({ statusCode: 404 });
    await expect(webpush.sendNotification(busy.subscription, 'x', { vapidDetails, agent })).rejects.toMatchObject({
      statusCode: 429,
      headers: expect.objectContaining({ 'retry-after': '7' }) as unknown,
    });
    expect(service.requestsFor(gone.subscription.endpoint).map((request) => request.status)).toEqual([410]);
  });

  it('refuses a request whose VAPID JWT is signed by another key, names another audience or lives too long', async () => {
    const device = service.createSubscription();
    const headers = webpush.getVapidHeaders(service.origin, vapidDetails.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm');
    const other = webpush.generateVAPIDKeys();
    const swapped = headers.Authorization.replace(/k=[^,\s]+/, `k=${other.publicKey}`);
    expect(checkVapidAuthorization(headers.Authorization, service.origin)).toMatchObject({ isValid: true });
    expect(checkVapidAuthorization(swapped, service.origin)).toMatchObject({ isValid: false });
    expect(checkVapidAuthorization(headers.Authorization, 'https://elsewhere.example')).toMatchObject({ isValid: false });
    expect(checkVapidAuthorization(headers.Authorization, service.origin, new Date(Date.now() - 25 * 3_600_000))).toMatchObject({
      isValid: false,
      error: 'exp more than 24 hours ahead',
    });
    expect(checkVapidAuthorization(undefined, service.origin)).toMatchObject({ isValid: false });
    // On the wire: a forged key is answered 403, as a push service would.
    const status = await new Promise<number>((resolve, reject) => {
      const request = https.request(device.subscription.endpoint, { method: 'POST', agent, headers: { authorization: swapped, ttl: '10' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end();
    });
    expect(status).toBe(403);
  });
});
