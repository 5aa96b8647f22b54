// The hosted verification page with push (issue 11): "Approve on your phone" shows the number and
// waits live; the phone approves; the page returns to the relying app with a one-time code, which
// the app's server exchanges once through the SDK.
import { createDatabase } from '@holdfast/db';
import { expect, test } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newUserId, openPortal, relyingApp } from '../src/portal';
import { checkPhoneScreen, deliverPushUntilShown, openPhone, pairPhoneFromPortal, receivePush } from '../src/push';
import { readState } from '../src/state';

/** The relying app's callback endpoint. */
async function startCallbackServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Relying app</title><h1>Back at the relying app</h1>');
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mfa/push-callback`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

test('[HOSTED_PUSH] "Approve on your phone" on the hosted page: the PWA approves with the number shown, the code is redeemed once', async ({
  page,
  context,
}, testInfo) => {
  const state = readState();
  const callback = await startCallbackServer();
  try {
    const db = createDatabase({ url: state.databaseUrl, poolMax: 1 });
    try {
      await db.prisma.application.update({ where: { id: state.applicationId }, data: { callbackUrls: { push: callback.url } } });
    } finally {
      await db.close();
    }

    const userId = newUserId('hosted-push');
    await openPortal(page, userId);
    const { phone, subscription } = await openPhone(context);
    await pairPhoneFromPortal(page, phone, { deviceName: 'Hosted phone' });

    const app = relyingApp();
    const transaction = await app.createTransaction({ userId, callbackUrl: callback.url, state: 'push-state-9c1' });
    await page.goto(transaction.url);
    await expect(page.getByRole('heading', { level: 2, name: 'Approve on your phone' })).toBeVisible();
    await page.getByRole('button', { name: 'Approve on your phone' }).click();
    const shown = page.getByTestId('push-number');
    await expect(shown).toHaveText(/^[0-9]{2,3}$/);
    const number = (await shown.innerText()).trim();
    await checkPhoneScreen(page, testInfo, 'hosted-push-waiting');

    // The phone gets the push, opens the request from its notification and types the number.
    const push = await receivePush(subscription);
    expect((await deliverPushUntilShown(phone, push.raw, push.payload.transactionId)).url).toBe(`/approve?tx=${push.payload.transactionId}`);
    await phone.goto(`${state.pushUrl}/approve?tx=${push.payload.transactionId}`);
    await phone.getByLabel('Number shown on your sign-in screen').fill(number);
    await phone.getByRole('button', { name: 'Approve' }).click();
    await expect(phone.getByRole('heading', { level: 1, name: 'Approved — you can return to your sign-in' })).toBeVisible();

    // The hosted page was waiting: it goes back to the relying app with a code and the state.
    await page.waitForURL((url) => url.toString().startsWith(callback.url), { timeout: 15_000 });
    const landed = new URL(page.url());
    expect([...landed.searchParams.keys()].sort()).toEqual(['code', 'state']);
    expect(landed.searchParams.get('state')).toBe('push-state-9c1');
    const code = landed.searchParams.get('code') ?? '';
    expect(await app.redeemResult({ code, userId })).toMatchObject({ userId, transactionId: transaction.transactionId, state: 'push-state-9c1' });
    await expect(app.redeemResult({ code, userId })).rejects.toMatchObject({ code: 'RESULT_ALREADY_USED' });
  } finally {
    await callback.stop();
  }
});
