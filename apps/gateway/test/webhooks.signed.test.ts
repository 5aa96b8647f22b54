import { envelopeKeyId, generateTotpCode, parseKeyring } from '@holdfast/core';
import { createApplication, rotateEncryptionKeys, withTransaction, writeAuditEvent } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient, verifyWebhookSignature, WebhookVerificationError, type WebhookEvent } from '@holdfast/sdk';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultParams, postTrpc, startEnvironment } from './support/fixtures';
import { testKeys } from './support/gateways';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A relying application's webhook endpoint: records every request; each path answers as told. */
async function startReceiver(): Promise<{
  url: string;
  received: (path: string) => Received[];
  answer: (path: string, respond: (request: Received, nth: number) => number, delayMs?: number) => void;
  stop: () => Promise<void>;
}> {
  const log: Received[] = [];
  const handlers = new Map<string, { respond: (request: Received, nth: number) => number; delayMs: number }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      log.push(request);
      const handler = handlers.get(request.path);
      const nth = log.filter((r) => r.path === request.path).length;
      const status = handler?.respond(request, nth) ?? 200;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'text/plain', ...(status >= 300 && status < 400 ? { location: '/redirect-target' } : {}) });
        res.end(status < 300 ? 'ok' : 'no');
      }, handler?.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver address expected');
  return {
    url: `http://127.0.0.1:${String(address.port)}`,
    received: (path) => log.filter((r) => r.path === path),
    answer: (path, respond, delayMs = 0) => handlers.set(path, { respond, delayMs }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function waitFor<T>(read: () => T | Promise<T>, isDone: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface DeliveryLog {
  deliveries: {
    id: string;
    type: string;
    status: string;
    event: WebhookEvent;
    attemptCount: number;
    attempts: { attempt: number; statusCode: number | null; error: string | null; durationMs: number; gatewayId: string }[];
  }[];
  nextCursor: string | null;
}

async function deliveryLog(gatewayUrl: string, apiKey: string, input: Record<string, unknown> = {}): Promise<DeliveryLog> {
  const response = await fetch(`${gatewayUrl}/trpc/webhooks.deliveries?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const json = (await response.json()) as { result: { data: DeliveryLog } };
  return json.result.data;
}

async function configureWebhook(
  gatewayUrl: string,
  apiKey: string,
  input: { url: string | null; rotateSecret?: boolean },
): Promise<{ status: number; secret: string | null; json: unknown }> {
  const { status, json } = await postTrpc(gatewayUrl, 'webhooks.configure', input, apiKey);
  const secret = status === 200 ? (json as { result: { data: { secret: string | null } } }).result.data.secret : null;
  return { status, secret, json };
}

/** Link → redeem → begin → confirm, through the real API: the user's first TOTP factor. */
async function enrollTotp(gatewayUrl: string, apiKey: string, userId: string): Promise<{ factorId: string; secret: string }> {
  const app = createHoldfastClient({ gateways: [gatewayUrl], apiKey, probeIntervalMs: 0 });
  const link = await app.createEnrollmentLink({ userId });
  const portal = createEnrollmentClient({ gateways: [gatewayUrl] });
  await portal.redeem(link.token);
  const begun = await portal.beginTotp({ label: 'phone' });
  await portal.confirmTotp({ factorId: begun.factorId, code: await generateTotpCode({ secret: begun.secret, params: defaultParams, at: new Date() }) });
  app.close();
  return { factorId: begun.factorId, secret: begun.secret };
}

describe('[WEBHOOK_SIGNED] the relying application is told of factor changes by signed webhooks', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let gatewayUrl = '';
  beforeAll(async () => {
    // Fast polling and a 300 ms first retry, so retries happen within the test.
    env = await startEnvironment({ gateways: 2, env: { HOLDFAST_WEBHOOK_POLL_INTERVAL_MS: '100', HOLDFAST_WEBHOOK_BACKOFF_BASE_MS: '300' } });
    receiver = await startReceiver();
    gatewayUrl = env.gateways[0]?.url ?? '';
  });
  afterAll(async () => {
    await env.stop();
    await receiver.stop();
  });

  it('enrolling and revoking a TOTP factor sends factor.enrolled and factor.removed, signed; a tampered body fails', async () => {
    const { applicationId, apiKey } = await createApplication({ prisma: env.db.prisma, name: 'webhook-signed' });
    expect((await configureWebhook(gatewayUrl, apiKey, { url: 'http://app.example/hooks' })).json).toMatchObject({
      error: { data: { holdfastCode: 'WEBHOOK_URL_INVALID' } },
    });
    const { secret } = await configureWebhook(gatewayUrl, apiKey, { url: `${receiver.url}/signed` });
    if (secret === null) throw new Error('secret expected');
    expect(secret).toMatch(/^whsec_/);
    // Shown once: changing the URL keeps the secret and does not show it again.
    const changed = await configureWebhook(gatewayUrl, apiKey, { url: `${receiver.url}/signed` });
    expect(changed.status).toBe(200);
    expect(changed.secret).toBeNull();
    // Stored encrypted, bound to the application (invariant 6).
    const stored = await env.db.prisma.applicationWebhook.findUniqueOrThrow({ where: { applicationId }, select: { secretEnc: true } });
    expect(stored.secretEnc).not.toContain(secret.slice(6));
    // Key rotation rewraps it too; the gateways (holding both keys) still sign with the same secret.
    const keyring = parseKeyring({ keys: `k1:${testKeys.k1},k2:${testKeys.k2}`, activeKeyId: 'k2' });
    await rotateEncryptionKeys({
      prisma: env.db.prisma,
      keyring,
      random: (size) => new Uint8Array(randomBytes(size)),
      actor: { gatewayId: 'test', region: 'test' },
    });
    const rewrapped = await env.db.prisma.applicationWebhook.findUniqueOrThrow({ where: { applicationId }, select: { secretEnc: true } });
    expect(envelopeKeyId(rewrapped.secretEnc)).toBe('k2');

    const userId = 'alice-webhooks';
    const factor = await enrollTotp(gatewayUrl, apiKey, userId);
    const app = createHoldfastClient({ gateways: [gatewayUrl], apiKey, probeIntervalMs: 0 });
    await app.revokeFactor({ userId, factorId: factor.factorId });
    app.close();

    const requests = await waitFor(
      () => receiver.received('/signed'),
      (r) => r.length >= 2,
    );
    const events = requests.map((request) => verifyWebhookSignature({ secret, headers: request.headers, body: request.body }));
    expect(events.map((e) => e.type).sort()).toEqual(['factor.enrolled', 'factor.removed']);
    for (const event of events) {
      expect(event).toMatchObject({ applicationId, data: { userId, factorId: factor.factorId, factorKind: 'totp' } });
      expect(event.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    for (const request of requests) {
      expect(request.headers['holdfast-webhook-id']).toBe((JSON.parse(request.body) as { id: string }).id);
      expect(request.headers['holdfast-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
      // Never a secret: neither the TOTP seed nor the signing secret travels in the body.
      expect(request.body).not.toContain(factor.secret);
      expect(request.body).not.toContain(secret);
    }

    const [first] = requests;
    if (first === undefined) throw new Error('request expected');
    const tampered = first.body.replace(userId, 'mallory');
    expect(() => verifyWebhookSignature({ secret, headers: first.headers, body: tampered })).toThrow(WebhookVerificationError);
    expect(() => verifyWebhookSignature({ secret: `${secret}x`, headers: first.headers, body: first.body })).toThrow(WebhookVerificationError);

    // Each delivery is tied to the audit row written in the same transaction as the change (invariant 7).
    const deliveries = await waitFor(
      () => env.db.prisma.webhookDelivery.findMany({ where: { applicationId } }),
      (rows) => rows.every((d) => d.status === 'delivered'),
    );
    const audited = await env.db.prisma.auditEvent.findMany({ where: { id: { in: deliveries.map((d) => d.auditEventId) } } });
    expect(audited.map((a) => a.type).sort()).toEqual(['factor.enrolled', 'factor.revoked']);
    // The log is the application's own and carries no secret.
    const log = await deliveryLog(gatewayUrl, apiKey);
    expect(log.deliveries).toHaveLength(2);
    expect(JSON.stringify(log)).not.toContain(secret);
  });

  it('a receiver answering 500 then 200 gets the retry with the same id; the log shows both attempts', async () => {
    const { apiKey } = await createApplication({ prisma: env.db.prisma, name: 'webhook-retry' });
    receiver.answer('/flaky', (_request, nth) => (nth === 1 ? 500 : 200));
    const { secret } = await configureWebhook(gatewayUrl, apiKey, { url: `${receiver.url}/flaky` });
    if (secret === null) throw new Error('secret expected');
    await enrollTotp(gatewayUrl, apiKey, 'bob-webhooks');

    const requests = await waitFor(
      () => receiver.received('/flaky'),
      (r) => r.length >= 2,
    );
    const [first, second] = requests;
    if (first === undefined || second === undefined) throw new Error('two requests expected');
    const firstEvent = verifyWebhookSignature({ secret, headers: first.headers, body: first.body });
    const secondEvent = verifyWebhookSignature({ secret, headers: second.headers, body: second.body });
    expect(second.headers['holdfast-webhook-id']).toBe(first.headers['holdfast-webhook-id']);
    expect(secondEvent).toEqual(firstEvent);
    expect(second.body).toBe(first.body);
    // Backoff: the first retry waits the base (300 ms here) ± 20 %.
    expect(second.at - first.at).toBeGreaterThanOrEqual(200);

    const log = await waitFor(
      () => deliveryLog(gatewayUrl, apiKey),
      (l) => l.deliveries[0]?.status === 'delivered',
    );
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({ id: firstEvent.id, type: 'factor.enrolled', attemptCount: 2 });
    expect(log.deliveries[0]?.attempts).toMatchObject([
      { attempt: 1, statusCode: 500, error: 'HTTP 500' },
      { attempt: 2, statusCode: 200, error: null },
    ]);

    // A manual redelivery sends the same event again, under the same id.
    const redelivered = await postTrpc(gatewayUrl, 'webhooks.redeliver', { deliveryId: firstEvent.id }, apiKey);
    expect(redelivered.status).toBe(200);
    const again = await waitFor(
      () => receiver.received('/flaky'),
      (r) => r.length >= 3,
    );
    expect(again[2]?.headers['holdfast-webhook-id']).toBe(firstEvent.id);
    expect((await postTrpc(gatewayUrl, 'webhooks.redeliver', { deliveryId: '00000000-0000-4000-8000-000000000000' }, apiKey)).status).toBe(404);
  });

  it('with two gateways delivering, each event is received exactly once', async () => {
    const { applicationId, apiKey } = await createApplication({ prisma: env.db.prisma, name: 'webhook-two-gateways' });
    // A slow receiver keeps sends in flight while the other gateway's worker polls.
    receiver.answer('/bulk', () => 204, 40);
    const { secret } = await configureWebhook(gatewayUrl, apiKey, { url: `${receiver.url}/bulk` });
    if (secret === null) throw new Error('secret expected');
    const factor = await enrollTotp(gatewayUrl, apiKey, 'carol-webhooks');
    const user = await env.db.prisma.user.findFirstOrThrow({ where: { applicationId, externalId: 'carol-webhooks' } });

    // 60 more events at once, through the one audit writer.
    const events = 60;
    await withTransaction(env.db.pool, null, async (sql) => {
      for (let i = 0; i < events; i += 1) {
        await writeAuditEvent(sql, { type: 'factor.locked', gatewayId: 'test', region: 'test', applicationId, userId: user.id, factorId: factor.factorId });
      }
    });
    // A rolled-back change tells nobody (invariant 7).
    await withTransaction(env.db.pool, null, async (sql) => {
      await writeAuditEvent(sql, { type: 'factor.locked', gatewayId: 'test', region: 'test', applicationId, userId: user.id, factorId: factor.factorId });
      throw new Error('rolled back');
    }).catch(() => undefined);

    await waitFor(
      () => receiver.received('/bulk'),
      (r) => r.length >= events + 1,
    );
    await waitFor(
      () => env.db.prisma.webhookDelivery.count({ where: { applicationId, status: { not: 'delivered' } } }),
      (pending) => pending === 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything sent twice would have arrived by now
    const requests = receiver.received('/bulk');
    const ids = requests.map((r) => verifyWebhookSignature({ secret, headers: r.headers, body: r.body }).id);
    expect(ids).toHaveLength(events + 1);
    expect(new Set(ids).size).toBe(events + 1);
    expect(await env.db.prisma.webhookDelivery.count({ where: { applicationId } })).toBe(events + 1);
    const attempts = await env.db.prisma.webhookDeliveryAttempt.findMany({ where: { delivery: { applicationId } } });
    expect(attempts).toHaveLength(events + 1);
    // Both gateways' workers took part, so the single sends are the claim's doing, not one worker's.
    expect(new Set(attempts.map((a) => a.gatewayId))).toEqual(new Set(env.gateways.map((g) => g.gatewayId)));

    // Paginated, newest first.
    const page = await deliveryLog(gatewayUrl, apiKey, { limit: 50 });
    expect(page.deliveries).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
    const rest = await deliveryLog(gatewayUrl, apiKey, { limit: 50, cursor: page.nextCursor });
    expect(rest.deliveries).toHaveLength(events + 1 - 50);
    expect(rest.nextCursor).toBeNull();
    expect(rest.deliveries.at(-1)?.type).toBe('factor.enrolled');
  });

  it('a redirect is not followed and does not count; removing the endpoint fails what was still queued', async () => {
    const { applicationId, apiKey } = await createApplication({ prisma: env.db.prisma, name: 'webhook-redirect' });
    receiver.answer('/redirect', () => 302);
    await configureWebhook(gatewayUrl, apiKey, { url: `${receiver.url}/redirect` });
    await enrollTotp(gatewayUrl, apiKey, 'erin-webhooks');
    const log = await waitFor(
      () => deliveryLog(gatewayUrl, apiKey),
      (l) => (l.deliveries[0]?.attempts.length ?? 0) >= 2,
    );
    expect(log.deliveries[0]?.status).toBe('pending');
    expect(log.deliveries[0]?.attempts.slice(0, 2)).toMatchObject([
      { statusCode: 302, error: 'HTTP 302' },
      { statusCode: 302, error: 'HTTP 302' },
    ]);
    expect(receiver.received('/redirect-target')).toHaveLength(0);

    await configureWebhook(gatewayUrl, apiKey, { url: null });
    const failed = await waitFor(
      () => env.db.prisma.webhookDelivery.findFirstOrThrow({ where: { applicationId } }),
      (d) => d.status === 'failed',
    );
    expect(failed.lastError).toBe('webhook removed');
  });

  it('a removed endpoint gets nothing more; the application can set it again with a new secret', async () => {
    const { applicationId, apiKey } = await createApplication({ prisma: env.db.prisma, name: 'webhook-removed' });
    const { secret } = await configureWebhook(gatewayUrl, apiKey, { url: `${receiver.url}/removed` });
    const rotated = await configureWebhook(gatewayUrl, apiKey, { url: `${receiver.url}/removed`, rotateSecret: true });
    expect(rotated.secret).not.toBeNull();
    expect(rotated.secret).not.toBe(secret);
    expect((await configureWebhook(gatewayUrl, apiKey, { url: null })).status).toBe(200);
    await enrollTotp(gatewayUrl, apiKey, 'dave-webhooks');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received('/removed')).toHaveLength(0);
    expect(await env.db.prisma.webhookDelivery.count({ where: { applicationId } })).toBe(0);
    expect(await env.db.prisma.auditEvent.count({ where: { applicationId, type: { in: ['webhook.configured', 'webhook.removed'] } } })).toBe(3);
  });
});
