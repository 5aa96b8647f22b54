import { createPublicKey, verify } from 'node:crypto';
import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, postTrpc, startEnvironment, wrongCodes } from './support/fixtures';

const callbackUrl = 'https://app.example.com/mfa/callback';

function tokenOf(pageUrl: string): string {
  return pageUrl.slice(pageUrl.lastIndexOf('/') + 1);
}

describe('[HOSTED_VERIFY] hosted verification page: signed, audience-bound, single-use results', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it("create → verify TOTP → JWT verifies with another gateway's JWKS → redeemed once; tampered and unregistered refused", async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    await env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: [callbackUrl] } });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });

    await expect(app.createTransaction({ userId: user.userId, callbackUrl: 'https://evil.example.com/cb' })).rejects.toMatchObject({
      code: 'CALLBACK_NOT_REGISTERED',
      httpStatus: 400,
    });

    const created = await app.createTransaction({ userId: user.userId, callbackUrl, state: 'st-123' });
    expect(created.url).toMatch(/\/verify\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(created.url);
    const page = await fetch(`${b.url}/trpc/hosted.getTransaction?input=${encodeURIComponent(JSON.stringify({ token }))}`);
    expect(await page.json()).toMatchObject({ result: { data: { applicationName: expect.any(String) as string, factors: ['totp'] } } });

    // A wrong code is a rejection through the normal write path (counted, audited); then the right one.
    const [wrong = ''] = await wrongCodes(user.secret, 1);
    const rejected = await postTrpc(b.url, 'hosted.verifyTotp', { token, code: wrong });
    expect(rejected.json).toMatchObject({ result: { data: { outcome: 'rejected', reason: 'invalid_code' } } });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    const accepted = await postTrpc(b.url, 'hosted.verifyTotp', { token, code });
    const data = (accepted.json as { result: { data: { outcome: string; redirectUrl: string } } }).result.data;
    expect(data.outcome).toBe('accepted');
    const redirect = new URL(data.redirectUrl);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(callbackUrl);
    expect(redirect.searchParams.get('state')).toBe('st-123');
    const result = redirect.searchParams.get('result') ?? '';

    // The transaction is done: the page cannot issue a second result.
    const again = await postTrpc(a.url, 'hosted.verifyTotp', { token, code });
    expect(again.json).toMatchObject({ error: { data: { holdfastCode: 'TRANSACTION_COMPLETED' } } });

    // Anyone can check the signature with the JWKS published by ANOTHER gateway (plain node:crypto).
    const jwks = await fetch(`${a.url}/.well-known/jwks.json`);
    expect(jwks.headers.get('cache-control')).toMatch(/max-age/);
    const { keys } = (await jwks.json()) as { keys: { kid: string; kty: string; crv: string; x: string; y: string }[] };
    const [header = '', payload = '', signature = ''] = result.split('.');
    const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
    expect(alg).toBe('ES256');
    const jwk = keys.find((key) => key.kid === kid);
    if (jwk === undefined) throw new Error('signing key not published');
    const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(
      true,
    );
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'holdfast', aud: user.applicationId, sub: user.userId, amr: ['otp'], txn: created.transactionId, state: 'st-123' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120);

    // Tampered (one payload character flipped): refused, and nothing is redeemed.
    const flipped = `${payload.slice(0, 20)}${payload[20] === 'A' ? 'B' : 'A'}${payload.slice(21)}`;
    await expect(app.redeemResult({ token: `${header}.${flipped}.${signature}` })).rejects.toMatchObject({ code: 'RESULT_INVALID' });
    // Another application cannot redeem it (audience).
    const other = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    await expect(createHoldfastClient({ gateways: [b.url], apiKey: other.apiKey }).redeemResult({ token: result })).rejects.toMatchObject({
      code: 'RESULT_INVALID',
    });

    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    expect(await viaB.redeemResult({ token: result })).toEqual({ userId: user.userId, amr: ['otp'], transactionId: created.transactionId });
    await expect(app.redeemResult({ token: result })).rejects.toMatchObject({ code: 'RESULT_ALREADY_USED', httpStatus: 409 });

    const types = (
      await env.db.prisma.auditEvent.findMany({ where: { applicationId: user.applicationId, type: { startsWith: 'hosted.' } }, select: { type: true } })
    )
      .map((e) => e.type)
      .sort();
    expect(types).toEqual(
      ['hosted.result_redeemed', 'hosted.result_rejected', 'hosted.result_rejected', 'hosted.transaction_completed', 'hosted.transaction_created'].sort(),
    );
    expect(await env.db.prisma.signingKey.count()).toBe(1);
  });
});

describe('[HOSTED_VERIFY] recovery codes, expiry, and the first signing key under concurrency', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('two gateways completing their first transactions at once create one signing key; expired and unknown tokens are refused', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    await env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: [callbackUrl] } });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const [one, two, stale] = await Promise.all([1, 2, 3].map(() => app.createTransaction({ userId: user.userId, callbackUrl })));
    if (one === undefined || two === undefined || stale === undefined) throw new Error('three transactions expected');

    const [first = '', second = ''] = user.recoveryCodes;
    const outcomes = await Promise.all([
      postTrpc(a.url, 'hosted.verifyRecoveryCode', { token: tokenOf(one.url), code: first }),
      postTrpc(b.url, 'hosted.verifyRecoveryCode', { token: tokenOf(two.url), code: second }),
    ]);
    expect(await env.db.prisma.signingKey.count()).toBe(1);
    for (const [index, outcome] of outcomes.entries()) {
      const data = (outcome.json as { result: { data: { outcome: string; redirectUrl: string } } }).result.data;
      expect(data.outcome).toBe('accepted');
      const result = new URL(data.redirectUrl).searchParams.get('result') ?? '';
      const redeemed = await app.redeemResult({ token: result });
      expect(redeemed).toEqual({ userId: user.userId, amr: ['recovery_code'], transactionId: index === 0 ? one.transactionId : two.transactionId });
    }

    await env.db.prisma.verificationTransaction.update({ where: { id: stale.transactionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await postTrpc(b.url, 'hosted.verifyRecoveryCode', { token: tokenOf(stale.url), code: user.recoveryCodes[2] ?? '' });
    expect(expired).toMatchObject({ status: 412, json: { error: { data: { holdfastCode: 'TRANSACTION_EXPIRED' } } } });
    const unknown = await postTrpc(b.url, 'hosted.verifyTotp', { token: 'A'.repeat(43), code: '123456' });
    expect(unknown).toMatchObject({ status: 401, json: { error: { data: { holdfastCode: 'TRANSACTION_INVALID' } } } });
  });
});
