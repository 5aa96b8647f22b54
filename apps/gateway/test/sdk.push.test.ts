import { createHoldfastClient, HoldfastApiError } from '@holdfast/sdk';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvironment } from './support/fixtures';
import { createPushApplication, decidePushInDatabase, seedPushUser } from './support/push-seed';

// The SDK's pushBegin / pushStatus (issue 11): failover like every other call, the attempt id
// carried across gateways, and a long-poll that is not mistaken for a dead gateway.
describe('SDK push approval', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let hung: http.Server;
  let hungUrl = '';
  let received = 0;

  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
    hung = http.createServer(() => {
      received += 1;
    }); // takes the request, never answers
    await new Promise<void>((resolve) =>
      hung.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    hungUrl = `http://127.0.0.1:${String((hung.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    hung.closeAllConnections();
    await new Promise((resolve) => hung.close(resolve));
    await env.stop();
  });

  it('pushBegin fails over from a gateway that never answers with the same attempt id; a retry is the same transaction', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const app = await createPushApplication(env.db);
    const user = await seedPushUser(env.db, app);
    const client = createHoldfastClient({ gateways: [hungUrl, a.url], apiKey: app.apiKey, deadlineMs: 8000, probeIntervalMs: 0 });
    const attemptId = randomUUID();
    const begun = await client.pushBegin({ userId: user.userId, attemptId, context: { browser: 'Firefox on Linux' } });
    expect(received).toBeGreaterThan(0);
    expect(begun).toMatchObject({ status: 'pending', replayed: false, deviceCount: 0 });
    expect(typeof begun.expiresAt).toBe('string');
    const other = createHoldfastClient({ gateways: [b.url], apiKey: app.apiKey, probeIntervalMs: 0 });
    expect(await other.pushBegin({ userId: user.userId, attemptId })).toEqual({ ...begun, replayed: true });
    client.close();
    other.close();
  });

  it('pushStatus long-polls past the per-try timeout and answers when the push is decided; by attempt id too', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const app = await createPushApplication(env.db);
    const user = await seedPushUser(env.db, app);
    // deadline 1500 ms → per-try timeout 500 ms: without the waitMs extension the poll would be cut.
    const client = createHoldfastClient({ gateways: [a.url, b.url], apiKey: app.apiKey, deadlineMs: 1500, probeIntervalMs: 0 });
    const attemptId = randomUUID();
    const begun = await client.pushBegin({ userId: user.userId, attemptId });
    const started = Date.now();
    const polling = client.pushStatus({ transactionId: begun.transactionId, waitMs: 10_000 });
    setTimeout(() => void decidePushInDatabase(env.db, begun.transactionId, 'approved'), 2000);
    const status = await polling;
    expect(status).toMatchObject({ transactionId: begun.transactionId, status: 'approved', reason: 'approved' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(await client.pushStatus({ attemptId })).toEqual(status);
    client.close();
  });

  it('a fatigue refusal is a HoldfastApiError with its code and retryAfterMs', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const app = await createPushApplication(env.db);
    const user = await seedPushUser(env.db, app);
    const client = createHoldfastClient({ gateways: [a.url], apiKey: app.apiKey, probeIntervalMs: 0 });
    await client.pushBegin({ userId: user.userId });
    const refused = await client.pushBegin({ userId: user.userId }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HoldfastApiError);
    expect(refused).toMatchObject({ code: 'PUSH_PENDING', httpStatus: 409 });
    expect((refused as HoldfastApiError).retryAfterMs).toBeGreaterThan(50_000);
    client.close();
  });
});
