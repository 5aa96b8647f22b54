import { createApplication, createDatabase, withTransaction, writeAuditEvent, type Database } from '@holdfast/db';
import { createTestDatabase } from '@holdfast/db/testing';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ServiceDeps } from '../../deps';
import { createCaller } from '../../router';
import { deliverDueWebhooks, defaultWebhookWorkerSettings } from './webhook-worker';
import { createTestServiceDeps } from '../../test-support/service-deps';

describe('[WEBHOOK_SIGNED] many workers claiming at once', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let deps: ServiceDeps;
  let server: Server;
  const received: string[] = [];
  let receiverUrl = '';
  beforeAll(async () => {
    const database = await createTestDatabase(inject('pgAdminUrl'));
    drop = database.drop;
    db = createDatabase({ url: database.url, poolMax: 20 });
    deps = createTestServiceDeps(db);
    server = createServer((req, res) => {
      received.push(String(req.headers['holdfast-webhook-id']));
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    receiverUrl = typeof address === 'object' && address !== null ? `http://127.0.0.1:${String(address.port)}/hook` : '';
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.close();
    await drop();
  });

  it('sends each delivery once although ten workers claim the same due rows at the same moment', async () => {
    const app = await createApplication({ prisma: db.prisma, name: 'claim race' });
    await createCaller({ deps, bearer: app.apiKey }).webhooks.configure({ url: receiverUrl });
    const events = 200;
    await withTransaction(db.pool, null, async (sql) => {
      for (let i = 0; i < events; i += 1) {
        await writeAuditEvent(sql, { type: 'account.locked', gatewayId: 'test', region: 'test', applicationId: app.applicationId });
      }
    });
    const signal = new AbortController().signal;
    const log = (): void => undefined;
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const worker = { ...deps, gateway: { id: `worker-${String(i)}`, region: 'test' } };
        while ((await deliverDueWebhooks({ deps: worker, settings: { ...defaultWebhookWorkerSettings, batchSize: 3 }, signal, log })) > 0);
      }),
    );
    expect(received).toHaveLength(events);
    expect(new Set(received).size).toBe(events);
    expect(await db.prisma.webhookDeliveryAttempt.count()).toBe(events);
    expect(await db.prisma.webhookDelivery.count({ where: { status: 'delivered', attemptCount: 1 } })).toBe(events);
    const workers = await db.prisma.webhookDeliveryAttempt.groupBy({ by: ['gatewayId'], _count: true });
    expect(workers.length).toBeGreaterThan(1);
  });
});
