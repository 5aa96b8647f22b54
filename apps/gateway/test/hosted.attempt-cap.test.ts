import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, postTrpc, startEnvironment, wrongCodes } from './support/fixtures';

const callbackUrl = 'https://app.example.com/mfa/callback';

// Issue 8, hole 3: hosted-page attempts were uncapped (each one a fresh attempt id).
describe('[HOSTED_ATTEMPT_CAP] a hosted transaction refuses after 5 failed attempts', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('5 wrong codes in parallel over two gateways are evaluated, then even the right code is refused; audited once', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    await env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: [callbackUrl] } });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const created = await app.createTransaction({ userId: user.userId, callbackUrl, state: 'cap' });
    const token = created.url.slice(created.url.lastIndexOf('/') + 1);

    const wrong = await wrongCodes(user.secret, 8);
    const answers = await Promise.all(wrong.map((code, i) => postTrpc(i % 2 === 0 ? a.url : b.url, 'hosted.verifyTotp', { token, code })));
    const rejected = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    expect(rejected).toHaveLength(5);
    expect(refused).toHaveLength(3);
    expect(refused[0]?.json).toMatchObject({ error: { data: { holdfastCode: 'TRANSACTION_ATTEMPTS_EXCEEDED' } } });

    const { code } = await freshCode(user.secret, user.confirmedStep);
    const right = await postTrpc(b.url, 'hosted.verifyTotp', { token, code });
    expect(right.status).toBe(429);
    const factor = await env.db.prisma.factor.findUniqueOrThrow({ where: { id: user.factorId } });
    expect(factor.failedCount).toBe(5);
    expect(await env.db.prisma.auditEvent.count({ where: { applicationId: user.applicationId, type: 'hosted.attempts_exceeded' } })).toBe(1);
  });
});
