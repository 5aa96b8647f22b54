import { createApplication } from '@holdfast/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvironment } from './support/fixtures';

// Issue 8, hole 4: one batched tRPC request with 50 calls used to be 50 authentications and 50
// audit rows for the price of one HTTP request (and one rate-limit token).
describe('[BATCH_AMPLIFICATION] one HTTP request carrying 50 tRPC calls', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    // No canary run during the file: every audit row counted below comes from the requests.
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_CANARY_INTERVAL_MS: '3600000' } });
  });
  afterAll(async () => {
    await env.stop();
  });

  async function batch(bearer: string): Promise<{ status: number; auditRows: number }> {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const calls = 50;
    const paths = Array.from({ length: calls }, () => 'verify.totp').join(',');
    const input = Object.fromEntries(
      Array.from({ length: calls }, (_, i) => [String(i), { userId: `nobody-${i}`, code: '123456', attemptId: `batch-${i}-${Math.random()}` }]),
    );
    const before = await env.db.prisma.auditEvent.count();
    const response = await fetch(`${gw.url}/trpc/${paths}?batch=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(input),
    });
    await response.text();
    return { status: response.status, auditRows: (await env.db.prisma.auditEvent.count()) - before };
  }

  it('is refused with a 400 and writes at most one audit row, with a bad key or a valid one', async () => {
    const badKey = `hf_${'0'.repeat(16)}_${'A'.repeat(43)}`;
    const { apiKey } = await createApplication({ prisma: env.db.prisma, name: 'batch app' });
    const withBadKey = await batch(badKey);
    expect(withBadKey.status).toBe(400);
    expect(withBadKey.auditRows).toBeLessThanOrEqual(1);
    // A valid key and 50 unknown users: 50 `request.rejected` rows before.
    const withValidKey = await batch(apiKey);
    expect(withValidKey.status).toBe(400);
    expect(withValidKey.auditRows).toBeLessThanOrEqual(1);
  });
});
