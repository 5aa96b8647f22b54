import { HoldfastUnavailableError, createHoldfastClient } from '@holdfast/sdk';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

describe('[SDK_FAILOVER] with the first gateway stopped', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('calls succeed through the second gateway within the deadline', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const client = createHoldfastClient({ gateways: [a.url, b.url], apiKey: user.apiKey, deadlineMs: 3_000 });
    expect((await client.preauth({ userId: user.userId })).result).toBe('auth');

    await a.kill(); // a crash, not a graceful stop
    const started = performance.now();
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const result = await client.verifyTotp({ userId: user.userId, code });
    const elapsed = performance.now() - started;
    expect(result).toMatchObject({ outcome: 'accepted', gatewayId: 'gw-b' });
    expect(elapsed).toBeLessThan(3_000);
    expect((await client.preauth({ userId: user.userId })).result).toBe('auth');
  });
});

describe('[SDK_DEADLINE] a gateway that accepts the request and never answers', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let hung: http.Server;
  let hungUrl = '';
  let received = 0;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
    hung = http.createServer(() => {
      received += 1;
    }); // reads the request, never replies
    await new Promise<void>((resolve) =>
      hung.listen(0, '127.0.0.1', () => {
        resolve();
      }),
    );
    hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hung.closeAllConnections();
    await new Promise((resolve) => hung.close(resolve));
    await env.stop();
  });

  it('gives it one try, resends the same attempt id to the next gateway, and the outcome is accepted', async () => {
    const [b] = env.gateways;
    if (b === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: b.url });
    // No /readyz probes: the hung peer must see exactly the one verification.
    const client = createHoldfastClient({ gateways: [hungUrl, b.url], apiKey: user.apiKey, deadlineMs: 3_000, tryTimeoutMs: 1_000, probeIntervalMs: 0 });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const started = performance.now();
    const result = await client.verifyTotp({ userId: user.userId, code, attemptId: 'hung-attempt-1' });
    expect(result).toMatchObject({ outcome: 'accepted', gatewayId: 'gw-a' });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(received).toBe(1);
    // The application retrying the same attempt id later gets the same outcome, not a replay
    // (marked `replayed`: it is the recorded decision, issue 8).
    expect(await client.verifyTotp({ userId: user.userId, code, attemptId: 'hung-attempt-1' })).toEqual({ ...result, replayed: true });
  });

  it('reports unavailability, not a guess, when no gateway answers before the deadline', async () => {
    const client = createHoldfastClient({ gateways: [hungUrl], apiKey: 'hf_0000000000000000_' + 'A'.repeat(43), deadlineMs: 800 });
    const error = await client.preauth({ userId: 'anyone' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HoldfastUnavailableError);
  });
});
