import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from './support/gateways';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

describe('[DB_ENDPOINTS] a gateway given several database endpoints', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('moves on when the first one is unreachable, migrates and verifies through the next', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    // Port 1 refuses connections: like a region whose HAProxy is down.
    const gw = await startGateway({ databaseUrl: `postgresql://postgres:x@127.0.0.1:1/none,${env.databaseUrl}`, gatewayId: 'gw-multi', waitUntilReady: true });
    try {
      const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
      const client = createHoldfastClient({ gateways: [gw.url], apiKey: user.apiKey });
      const { code } = await freshCode(user.secret, user.confirmedStep);
      expect(await client.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'accepted', gatewayId: 'gw-multi' });
      expect(gw.output()).toContain('db_endpoint_changed');
    } finally {
      await gw.stop();
    }
  });
});
