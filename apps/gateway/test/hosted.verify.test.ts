import { createPublicKey, verify } from 'node:crypto';
import { createHoldfastClient } from '@holdfast/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, postTrpc, startEnvironment, wrongCodes } from './support/fixtures';

const callbackUrl = 'https://app.example.com/mfa/callback';

function tokenOf(pageUrl: string): string {
  return pageUrl.slice(pageUrl.lastIndexOf('/') + 1);
}

describe('[HOSTED_VERIFY] hosted verification page: results by one-time code, audience-bound, single use, signed receipt', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it("create → verify TOTP → callback gets a code → redeemed once by the right application; receipt verifies with another gateway's JWKS", async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    await env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: [callbackUrl] } });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });

    await expect(app.createTransaction({ userId: user.userId, callbackUrl: 'https://evil.example.com/cb', state: 's' })).rejects.toMatchObject({
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
    // The callback carries an opaque one-time code and the state — never the result.
    expect([...redirect.searchParams.keys()].sort()).toEqual(['code', 'state']);
    expect(redirect.searchParams.get('state')).toBe('st-123');
    const resultCode = redirect.searchParams.get('code') ?? '';
    expect(resultCode).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The transaction is done: the page cannot issue a second result.
    const again = await postTrpc(a.url, 'hosted.verifyTotp', { token, code });
    expect(again.json).toMatchObject({ error: { data: { holdfastCode: 'TRANSACTION_COMPLETED' } } });

    // Another application cannot redeem it (and does not spend it).
    const other = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    await expect(
      createHoldfastClient({ gateways: [b.url], apiKey: other.apiKey }).redeemResult({ code: resultCode, userId: user.userId }),
    ).rejects.toMatchObject({ code: 'RESULT_INVALID' });

    const viaB = createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey });
    const redeemed = await viaB.redeemResult({ code: resultCode, userId: user.userId });
    expect(redeemed).toMatchObject({ userId: user.userId, amr: ['otp'], transactionId: created.transactionId, state: 'st-123' });
    await expect(app.redeemResult({ code: resultCode, userId: user.userId })).rejects.toMatchObject({ code: 'RESULT_ALREADY_USED', httpStatus: 409 });

    // The receipt: anyone can check its signature with the JWKS published by ANOTHER gateway (plain node:crypto).
    const jwks = await fetch(`${a.url}/.well-known/jwks.json`);
    expect(jwks.headers.get('cache-control')).toMatch(/max-age/);
    const { keys } = (await jwks.json()) as { keys: { kid: string; kty: string; crv: string; x: string; y: string }[] };
    const [header = '', payload = '', signature = ''] = redeemed.receipt.split('.');
    const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
    expect(alg).toBe('ES256');
    const jwk = keys.find((key) => key.kid === kid);
    if (jwk === undefined) throw new Error('signing key not published');
    const publicKey = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(
      true,
    );
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    // Issuer: the deployment's public URL (the gateways' default in tests).
    expect(claims).toMatchObject({
      iss: 'http://localhost:3000',
      aud: user.applicationId,
      sub: user.userId,
      amr: ['otp'],
      txn: created.transactionId,
      state: 'st-123',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);

    const types = (
      await env.db.prisma.auditEvent.findMany({ where: { applicationId: user.applicationId, type: { startsWith: 'hosted.' } }, select: { type: true } })
    )
      .map((e) => e.type)
      .filter((type) => !type.startsWith('hosted.signing_key'))
      .sort();
    expect(types).toEqual(['hosted.result_redeemed', 'hosted.result_rejected', 'hosted.transaction_completed', 'hosted.transaction_created'].sort());
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

  it('two gateways redeeming their first results at once create one signing key; expired and unknown tokens are refused', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    await env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: [callbackUrl] } });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const [one, two, stale] = await Promise.all([1, 2, 3].map((n) => app.createTransaction({ userId: user.userId, callbackUrl, state: `s${n}` })));
    if (one === undefined || two === undefined || stale === undefined) throw new Error('three transactions expected');

    const [first = '', second = ''] = user.recoveryCodes;
    const outcomes = await Promise.all([
      postTrpc(a.url, 'hosted.verifyRecoveryCode', { token: tokenOf(one.url), code: first }),
      postTrpc(b.url, 'hosted.verifyRecoveryCode', { token: tokenOf(two.url), code: second }),
    ]);
    const codes = outcomes.map((outcome) => {
      const data = (outcome.json as { result: { data: { outcome: string; redirectUrl: string } } }).result.data;
      expect(data.outcome).toBe('accepted');
      return new URL(data.redirectUrl).searchParams.get('code') ?? '';
    });
    // The first redemptions anywhere create the first signing key: two gateways at once, one key.
    const redeemed = await Promise.all(
      codes.map((code, index) =>
        createHoldfastClient({ gateways: [index === 0 ? a.url : b.url], apiKey: user.apiKey }).redeemResult({ code, userId: user.userId }),
      ),
    );
    expect(redeemed).toMatchObject([
      { userId: user.userId, amr: ['recovery_code'], transactionId: one.transactionId, state: 's1' },
      { userId: user.userId, amr: ['recovery_code'], transactionId: two.transactionId, state: 's2' },
    ]);
    expect(await env.db.prisma.signingKey.count()).toBe(1);

    await env.db.prisma.verificationTransaction.update({ where: { id: stale.transactionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await postTrpc(b.url, 'hosted.verifyRecoveryCode', { token: tokenOf(stale.url), code: user.recoveryCodes[2] ?? '' });
    expect(expired).toMatchObject({ status: 412, json: { error: { data: { holdfastCode: 'TRANSACTION_EXPIRED' } } } });
    const unknown = await postTrpc(b.url, 'hosted.verifyTotp', { token: 'A'.repeat(43), code: '123456' });
    expect(unknown).toMatchObject({ status: 401, json: { error: { data: { holdfastCode: 'TRANSACTION_INVALID' } } } });
  });
});

describe('[HOSTED_CODE_EXCHANGE] the callback gets a one-time code, exchanged server to server for the expected user only', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
  });
  afterAll(async () => {
    await env.stop();
  });

  /** Verifies one transaction with a recovery code on the page; returns the callback's code. */
  async function completeWithRecoveryCode(gatewayUrl: string, pageUrl: string, code: string): Promise<URL> {
    const outcome = await postTrpc(gatewayUrl, 'hosted.verifyRecoveryCode', { token: tokenOf(pageUrl), code });
    const data = (outcome.json as { result: { data: { outcome: string; redirectUrl: string } } }).result.data;
    expect(data.outcome).toBe('accepted');
    return new URL(data.redirectUrl);
  }

  it('no result in the URL; redeemable once, only with the same application’s API key and the right user id; expiry', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    await env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: [callbackUrl] } });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });
    const other = await enrollTotpUser({ db: env.db, gatewayUrl: a.url });
    const otherApp = createHoldfastClient({ gateways: [b.url], apiKey: other.apiKey });
    const [c1 = '', c2 = '', c3 = ''] = user.recoveryCodes;

    // 1. The right application and user: once. Another application's key first (refused, not spent), no key at all (401).
    const t1 = await app.createTransaction({ userId: user.userId, callbackUrl, state: 'one' });
    const landed = await completeWithRecoveryCode(b.url, t1.url, c1);
    expect([...landed.searchParams.keys()].sort()).toEqual(['code', 'state']);
    for (const value of landed.searchParams.values()) expect(value.split('.').length).toBeLessThan(3); // nothing JWT-shaped
    const code1 = landed.searchParams.get('code') ?? '';
    await expect(otherApp.redeemResult({ code: code1, userId: user.userId })).rejects.toMatchObject({ code: 'RESULT_INVALID' });
    expect(await postTrpc(b.url, 'hosted.redeemResult', { code: code1, userId: user.userId })).toMatchObject({ status: 401 });
    expect(await app.redeemResult({ code: code1, userId: user.userId })).toMatchObject({ userId: user.userId, transactionId: t1.transactionId });
    await expect(createHoldfastClient({ gateways: [b.url], apiKey: user.apiKey }).redeemResult({ code: code1, userId: user.userId })).rejects.toMatchObject({
      code: 'RESULT_ALREADY_USED',
    });

    // 2. Another user id than the one it was issued for: refused, and the code is spent.
    const t2 = await app.createTransaction({ userId: user.userId, callbackUrl, state: 'two' });
    const code2 = (await completeWithRecoveryCode(a.url, t2.url, c2)).searchParams.get('code') ?? '';
    await expect(app.redeemResult({ code: code2, userId: 'mallory' })).rejects.toMatchObject({ code: 'RESULT_USER_MISMATCH', httpStatus: 409 });
    await expect(app.redeemResult({ code: code2, userId: user.userId })).rejects.toMatchObject({ code: 'RESULT_ALREADY_USED' });

    // 3. Past its minute: refused.
    const t3 = await app.createTransaction({ userId: user.userId, callbackUrl, state: 'three' });
    const code3 = (await completeWithRecoveryCode(b.url, t3.url, c3)).searchParams.get('code') ?? '';
    const stored = await env.db.pool.query<{ expires_at: Date; created_at: Date; code_hash: Buffer | null }>(
      'SELECT expires_at, created_at, code_hash FROM verification_results WHERE transaction_id = $1',
      [t3.transactionId],
    );
    const row = stored.rows[0];
    if (row === undefined) throw new Error('result row expected');
    // Only the code's hash is stored, and it lives at most 5 minutes.
    expect(row.code_hash?.toString('base64url')).not.toBe(code3);
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBeLessThanOrEqual(5 * 60_000);
    await env.db.pool.query("UPDATE verification_results SET expires_at = now() - interval '1 second' WHERE transaction_id = $1", [t3.transactionId]);
    await expect(app.redeemResult({ code: code3, userId: user.userId })).rejects.toMatchObject({ code: 'RESULT_INVALID' });

    const rejected = await env.db.prisma.auditEvent.count({ where: { applicationId: user.applicationId, type: 'hosted.result_rejected' } });
    expect(rejected).toBe(4); // already used ×2, user mismatch, expired (the other application's attempt is audited under its own id)
  });

  it('state is required; http callbacks only on loopback hosts; per-transaction factor kinds are shown and enforced', async () => {
    const [a, b] = env.gateways;
    if (a === undefined || b === undefined) throw new Error('two gateways expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a.url, withRecoveryCodes: true });
    const localCallback = 'http://127.0.0.1:8080/mfa/callback';
    await env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: [callbackUrl, localCallback] } });
    const app = createHoldfastClient({ gateways: [a.url], apiKey: user.apiKey });

    const noState = await postTrpc(a.url, 'hosted.createTransaction', { userId: user.userId, callbackUrl }, user.apiKey);
    expect(noState).toMatchObject({ status: 400, json: { error: { data: { holdfastCode: 'BAD_REQUEST' } } } });

    // Plain http elsewhere than loopback: refused when creating a transaction, and cannot even be registered.
    await expect(app.createTransaction({ userId: user.userId, callbackUrl: 'http://app.example.com/mfa/callback', state: 's' })).rejects.toMatchObject({
      code: 'INSECURE_URL',
      httpStatus: 400,
    });
    await expect(
      env.db.prisma.application.update({ where: { id: user.applicationId }, data: { callbackUrls: { push: 'http://app.example.com/mfa/callback' } } }),
    ).rejects.toThrow(/applications_callback_urls_secure/);
    await expect(
      env.db.prisma.application.update({ where: { id: user.applicationId }, data: { allowedOrigins: ['http://portal.example.com'] } }),
    ).rejects.toThrow(/applications_allowed_origins_secure/);
    expect(await app.createTransaction({ userId: user.userId, callbackUrl: localCallback, state: 's' })).toMatchObject({
      transactionId: expect.any(String) as string,
    });

    // Only recovery codes for this one: the page lists only them and refuses a TOTP code before counting it.
    const limited = await app.createTransaction({ userId: user.userId, callbackUrl, state: 'rc-only', allowedFactorKinds: ['recovery_codes'] });
    const token = tokenOf(limited.url);
    const page = await fetch(`${b.url}/trpc/hosted.getTransaction?input=${encodeURIComponent(JSON.stringify({ token }))}`);
    expect(await page.json()).toMatchObject({ result: { data: { factors: ['recovery_codes'] } } });
    const internal = await env.db.prisma.user.findFirstOrThrow({ where: { applicationId: user.applicationId, externalId: user.userId }, select: { id: true } });
    const attemptsBefore = await env.db.prisma.verificationAttempt.count({ where: { userId: internal.id } });
    const { code } = await freshCode(user.secret, user.confirmedStep);
    expect(await postTrpc(b.url, 'hosted.verifyTotp', { token, code })).toMatchObject({
      status: 403,
      json: { error: { data: { holdfastCode: 'FACTOR_KIND_NOT_ALLOWED' } } },
    });
    expect(await postTrpc(b.url, 'hosted.webauthnBegin', { token })).toMatchObject({ status: 403 });
    const accepted = await postTrpc(b.url, 'hosted.verifyRecoveryCode', { token, code: user.recoveryCodes[0] ?? '' });
    expect(accepted.json).toMatchObject({ result: { data: { outcome: 'accepted' } } });
    // The refused TOTP code never reached the write path: one attempt, the recovery code's.
    expect(await env.db.prisma.verificationAttempt.count({ where: { userId: internal.id } })).toBe(attemptsBefore + 1);
  });
});
