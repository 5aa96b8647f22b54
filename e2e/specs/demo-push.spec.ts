// The demo relying application (apps/demo) with push approval (issue 11), as a person would use it:
// create an account, get sent to the portal by the demo's enrollment link, pair the phone (the PWA)
// there, then sign in to the demo with the password and "Approve on your phone": the demo shows the
// number, the phone gets the real Web Push, the person types the number and approves, and the
// demo's page — which was long-polling its own server — lands signed in. Then, with JavaScript off,
// a denial seen through "Check again".
import { createApplication, createDatabase } from '@holdfast/db';
import { findFreePort } from '@holdfast/db/testing';
import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectAccessible } from '../src/axe';
import { capturePage, continueFromLink, newUserId } from '../src/portal';
import { startDemo, type RunningProcess } from '../src/processes';
import { checkPhoneScreen, deliverPushUntilShown, openApproval, openPhone, pairPhoneFromPortal, receivePush } from '../src/push';
import { readState } from '../src/state';

const applicationName = 'E2E demo push app';
const password = 'correct horse battery staple';

let demo: RunningProcess | null = null;
let stateDir = '';

function demoUrl(): string {
  if (demo === null) throw new Error('the demo is not running');
  return demo.url;
}

test.beforeAll(async () => {
  const state = readState();
  const port = await findFreePort();
  const url = `http://localhost:${port}`;
  const db = createDatabase({ url: state.databaseUrl, poolMax: 1 });
  const application = await createApplication({ prisma: db.prisma, name: applicationName });
  await db.prisma.application.update({
    where: { id: application.applicationId },
    data: { rpId: 'localhost', allowedOrigins: [state.webUrl, url], callbackUrls: [`${url}/verify/hosted/callback`] },
  });
  await db.close();
  stateDir = await mkdtemp(path.join(tmpdir(), 'holdfast-e2e-demo-push-'));
  demo = await startDemo({ port, gatewayUrls: state.gatewayUrls, apiKey: application.apiKey, portalUrl: state.webUrl, stateDir });
});

test.afterAll(async () => {
  await demo?.stop();
  if (stateDir !== '') await rm(stateDir, { recursive: true, force: true });
});

async function signInWithPassword(page: Page, userName: string): Promise<void> {
  await page.goto(demoUrl());
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('[DEMO_LOGIN_PUSH] pair a phone through the demo\'s enrollment link, sign in to the demo with "Approve on your phone" and the number; a denial is shown without JavaScript', async ({
  page,
  context,
  browser,
}, testInfo) => {
  const userName = newUserId('demo-push');

  // An account in the demo; no factor yet, so the demo sends the user to the portal to set one up.
  await page.goto(demoUrl());
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('status')).toHaveText('Your account is ready. Sign in.');
  await signInWithPassword(page, userName);
  await page.getByRole('button', { name: 'Set up two-step verification' }).click();
  await expect(page).toHaveURL(/\/enroll\/[^/]+$/);
  await continueFromLink(page, page.url());

  // The phone is paired in the portal (first factor: no step-up).
  const { phone, subscription } = await openPhone(context);
  await pairPhoneFromPortal(page, phone, { deviceName: 'Demo phone' });

  // Back in the demo: the password, then "Approve on your phone" offered first, above the others.
  await signInWithPassword(page, userName);
  await expect(page).toHaveURL(`${demoUrl()}/verify`);
  await expect(page.getByRole('heading', { level: 2 }).first()).toHaveText('Approve on your phone');
  await capturePage(page, testInfo, 'demo-push-offer');
  await expectAccessible(page, testInfo, 'demo-push-offer');
  await page.getByRole('button', { name: 'Approve on your phone' }).click();

  await expect(page).toHaveURL(`${demoUrl()}/verify/push`);
  const shown = page.getByTestId('push-number');
  await expect(shown).toHaveText(/^[0-9]{2,3}$/);
  const number = (await shown.innerText()).trim();
  await expect(page.getByText(`Type ${number} on your phone`)).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Waiting for your answer on your phone…');
  await expect(page.locator('#push-countdown')).toHaveText(/^[01]:[0-5][0-9]$/);
  await capturePage(page, testInfo, 'demo-push-waiting');
  await checkPhoneScreen(page, testInfo, 'demo-push-waiting');

  // The phone gets the Web Push (encrypted to its keys), shows the notification, opens the request.
  const push = await receivePush(subscription);
  expect(push.payload.applicationName).toBe(applicationName);
  expect(Object.values(push.payload)).not.toContain(number);
  expect((await deliverPushUntilShown(phone, push.raw, push.payload.transactionId)).url).toBe(`/approve?tx=${push.payload.transactionId}`);
  await openApproval(phone, push.payload.transactionId, applicationName);
  // What the demo told the phone: the address it saw and a summary of the browser, not the raw header.
  await expect(phone.getByText('127.0.0.1', { exact: true })).toBeVisible();
  await expect(phone.getByText(/^(Headless Chrome|Chrome|Chromium) on Linux$/)).toBeVisible();
  await phone.getByLabel('Number shown on your sign-in screen').fill(number);
  await phone.getByRole('button', { name: 'Approve' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Approved — you can return to your sign-in' })).toBeVisible();

  // The demo's page was waiting: it lands signed in, under a new session.
  await expect(page).toHaveURL(`${demoUrl()}/account`, { timeout: 15_000 });
  await expect(page.getByRole('heading', { level: 1, name: `Signed in as ${userName}` })).toBeVisible();
  await expect(page.getByText('Second step: phone approval')).toBeVisible();
  await capturePage(page, testInfo, 'demo-push-signed-in');

  // Without JavaScript: the number, "Check again" does one check, and a denial on the phone is said
  // beside the other ways to verify.
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page2 = await noScript.newPage();
    await signInWithPassword(page2, userName);
    await page2.getByRole('button', { name: 'Approve on your phone' }).click();
    const secondNumber = (await page2.getByTestId('push-number').innerText()).trim();
    expect(secondNumber).toMatch(/^[0-9]{2,3}$/);
    await page2.getByRole('button', { name: 'Check again' }).click();
    await expect(page2.getByRole('status')).toHaveText('No answer yet. Type the number on your phone and approve, then check again.');

    const second = await receivePush(subscription, { after: 1 });
    await openApproval(phone, second.payload.transactionId, applicationName);
    await phone.getByRole('button', { name: "This wasn't me" }).click();
    await expect(phone.getByRole('heading', { level: 1, name: 'Denied' })).toBeVisible();

    await page2.getByRole('button', { name: 'Check again' }).click();
    await expect(page2).toHaveURL(`${demoUrl()}/verify`);
    await expect(page2.getByRole('alert')).toContainText('The request was denied on your phone');
    await expect(page2.getByRole('heading', { level: 2, name: "Holdfast's verification page" })).toBeVisible();
    await expect(page2.getByRole('button', { name: 'Approve on your phone' })).toBeVisible();
    await capturePage(page2, testInfo, 'demo-push-denied');
  } finally {
    await noScript.close();
  }
});
