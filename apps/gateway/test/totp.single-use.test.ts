import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

// Invariant 1: a TOTP code is accepted at most once, globally — across gateway processes.
describe('[TOTP_SINGLE_USE] a code accepted by one gateway', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('is rejected as a replay by another gateway process', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const viaA = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const { code } = await freshCode(user.secret, user.confirmedStep);

    const first = await viaA.verifyTotp({ userId: user.userId, code });
    expect(first).toMatchObject({ outcome: 'accepted', reason: null, gatewayId: 'gw-a' });
    const second = await viaB.verifyTotp({ userId: user.userId, code });
    expect(second).toMatchObject({ outcome: 'rejected', reason: 'replay', gatewayId: 'gw-b' });
    // And back on the first gateway too: nothing per-process decides this.
    expect(await viaA.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'rejected', reason: 'replay' });
  });

  it('the confirmation code used at enrollment cannot log in', async () => {
    const [a] = env.gateways;
    if (a === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const client = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const result = await client.verifyTotp({ userId: user.userId, code: user.confirmationCode });
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'replay' });
  });
});
