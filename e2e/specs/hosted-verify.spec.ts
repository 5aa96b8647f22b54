import { createDatabase } from '@holdfast/db';
import { createEnrollmentClient } from '@holdfast/sdk';
import { expect, test } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectAccessible } from '../src/axe';
import { capturePage, freshTotpCode, newUserId, relyingApp } from '../src/portal';
import { readState } from '../src/state';
import { addVirtualAuthenticator } from '../src/webauthn';

/** A relying application's callback endpoint: records what it was called with and says so. */
async function startCallbackServer(): Promise<{ url: string; calls: URL[]; stop: () => Promise<void> }> {
  const calls: URL[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    calls.push(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Relying app</title><h1>Back at the relying app</h1>');
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mfa/callback`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** The application registers its callback URL (an operator setting). */
async function registerCallback(url: string): Promise<void> {
  const state = readState();
  const db = createDatabase({ url: state.databaseUrl, poolMax: 1 });
  try {
    await db.prisma.application.update({ where: { id: state.applicationId }, data: { callbackUrls: { push: url } } });
  } finally {
    await db.close();
  }
}

test('[HOSTED_VERIFY] redirect flow end to end: the callback gets a one-time code, exchanged once for the expected user', async ({ page }, testInfo) => {
  const state = readState();
  const callback = await startCallbackServer();
  try {
    await registerCallback(callback.url);

    // A user with an authenticator app, enrolled through the API.
    const userId = newUserId('hosted');
    const app = relyingApp();
    const link = await app.createEnrollmentLink({ userId });
    const enrollment = createEnrollmentClient({ gateways: state.gatewayUrls });
    await enrollment.redeem(link.token);
    const begun = await enrollment.beginTotp({ label: 'Phone' });
    const first = await freshTotpCode({ secret: begun.secret, afterStep: 0 });
    await enrollment.confirmTotp({ factorId: begun.factorId, code: first.code });

    const transaction = await app.createTransaction({ userId, callbackUrl: callback.url, state: 'csrf-7f3a' });
    const response = await page.goto(transaction.url);
    // The page runs under a strict, per-request nonce CSP (and still works: Next's scripts carry the nonce).
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
    expect(
      await page
        .locator('script[src]')
        .first()
        .evaluate((script) => (script as HTMLScriptElement).nonce),
    ).toBe(nonce);
    await expect(page.getByRole('heading', { name: 'Verify it is you' })).toBeVisible();
    await expect(page.getByText('E2E relying app')).toBeVisible();
    await capturePage(page, testInfo, 'hosted-verify');
    await expectAccessible(page, testInfo, 'hosted-verify');

    // A wrong code: words, and the page stays.
    await page.getByLabel('6-digit code').fill('000000');
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect(page.getByRole('alert').filter({ hasText: "That code didn't match" })).toBeVisible();
    await capturePage(page, testInfo, 'hosted-verify-wrong-code');

    const { code } = await freshTotpCode({ secret: begun.secret, afterStep: first.step });
    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.waitForURL((url) => url.toString().startsWith(callback.url));
    await expect(page.getByRole('heading', { name: 'Back at the relying app' })).toBeVisible();
    const landed = new URL(page.url());
    // What the browser (history, logs, Referer) saw: a code and the state, no result.
    expect([...landed.searchParams.keys()].sort()).toEqual(['code', 'state']);
    expect(landed.searchParams.get('state')).toBe('csrf-7f3a');
    const resultCode = landed.searchParams.get('code') ?? '';
    expect(callback.calls.find((call) => call.pathname === '/mfa/callback')?.searchParams.get('code')).toBe(resultCode);

    // The relying app's server exchanges it (an unknown code is refused), once.
    await expect(app.redeemResult({ code: 'A'.repeat(43), userId })).rejects.toMatchObject({ code: 'RESULT_INVALID' });
    const redeemed = await app.redeemResult({ code: resultCode, userId });
    expect(redeemed).toMatchObject({ userId, amr: ['otp'], transactionId: transaction.transactionId, state: 'csrf-7f3a' });
    expect(redeemed.receipt.split('.')).toHaveLength(3);
    await expect(app.redeemResult({ code: resultCode, userId })).rejects.toMatchObject({ code: 'RESULT_ALREADY_USED' });

    // The page cannot be used again.
    await page.goto(transaction.url);
    await expect(page.getByRole('heading', { name: 'This verification is already finished' })).toBeVisible();
    await capturePage(page, testInfo, 'hosted-verify-finished');
  } finally {
    await callback.stop();
  }
});

test('[HOSTED_VERIFY] a passkey on the hosted page: back at the callback with a code, exchanged for amr hwk', async ({ page }, testInfo) => {
  const callback = await startCallbackServer();
  try {
    await registerCallback(callback.url);
    const userId = newUserId('hosted-passkey');
    const app = relyingApp();
    await addVirtualAuthenticator(page);
    const link = await app.createEnrollmentLink({ userId });
    await page.goto(link.url);
    // Opening a link redeems nothing (issue 8): the Continue button's POST does.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
    await expect(page.getByText(/Your security key or passkey is added/)).toBeVisible();

    const transaction = await app.createTransaction({ userId, callbackUrl: callback.url, state: 'passkey-state' });
    await page.goto(transaction.url);
    await expect(page.getByRole('heading', { level: 2, name: 'Security key or passkey' })).toBeVisible();
    await capturePage(page, testInfo, 'hosted-verify-passkey');
    await page.getByRole('button', { name: 'Use a security key or passkey' }).click();
    await page.waitForURL((url) => url.toString().startsWith(callback.url));
    const landed = new URL(page.url());
    expect(landed.searchParams.get('state')).toBe('passkey-state');
    expect(landed.searchParams.has('result')).toBe(false);
    const code = landed.searchParams.get('code') ?? '';
    expect(await app.redeemResult({ code, userId })).toMatchObject({ userId, amr: ['hwk'], transactionId: transaction.transactionId, state: 'passkey-state' });
    // Presented again, for another user (a swapped callback): refused.
    await expect(app.redeemResult({ code, userId: `${userId}-other` })).rejects.toMatchObject({ code: 'RESULT_ALREADY_USED' });
  } finally {
    await callback.stop();
  }
});
