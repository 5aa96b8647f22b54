// The demo relying application (apps/demo) end to end, as a newcomer would use it: create an
// account, sign in with the password, get sent to the portal to set up a second step, come back,
// and sign in with password + that second step. The demo has its own application whose allowed
// origins list both the portal (where the passkey is made) and the demo (where it is used).
import { createApplication, createDatabase } from '@holdfast/db';
import { findFreePort } from '@holdfast/db/testing';
import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { capturePage, continueFromLink, enrollTotpInPortal, freshTotpCode, newUserId } from '../src/portal';
import { startDemo, type RunningProcess } from '../src/processes';
import { readState } from '../src/state';
import { addVirtualAuthenticator } from '../src/webauthn';

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
  const application = await createApplication({ prisma: db.prisma, name: 'E2E demo app' });
  await db.prisma.application.update({
    where: { id: application.applicationId },
    data: { rpId: 'localhost', allowedOrigins: [state.webUrl, url], callbackUrls: [`${url}/verify/hosted/callback`] },
  });
  await db.close();
  stateDir = await mkdtemp(path.join(tmpdir(), 'holdfast-e2e-demo-'));
  demo = await startDemo({ port, gatewayUrls: state.gatewayUrls, apiKey: application.apiKey, portalUrl: state.webUrl, stateDir });
});

test.afterAll(async () => {
  await demo?.stop();
  if (stateDir !== '') await rm(stateDir, { recursive: true, force: true });
});

const password = 'correct horse battery staple';

async function createAccount(page: Page, userName: string): Promise<void> {
  await page.goto(demoUrl());
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('status')).toHaveText('Your account is ready. Sign in.');
}

async function signInWithPassword(page: Page, userName: string): Promise<void> {
  await page.goto(demoUrl());
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** From the demo's "no second step yet" page to the portal, through the enrollment link the demo made. */
async function goToSetup(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step verification' })).toBeVisible();
  await page.getByRole('button', { name: 'Set up two-step verification' }).click();
  await expect(page).toHaveURL(/\/enroll\/[^/]+$/);
  // The link page's GET changed nothing; "Continue" redeems it (shared helper, reloads the same URL).
  await continueFromLink(page, page.url());
}

async function expectSignedIn(page: Page, userName: string): Promise<void> {
  await expect(page).toHaveURL(`${demoUrl()}/account`);
  await expect(page.getByRole('heading', { level: 1, name: `Signed in as ${userName}` })).toBeVisible();
}

test('[DEMO_LOGIN_TOTP] sign up in the demo, set up an authenticator app through its enrollment link, sign in with password + TOTP (in the demo, then on the hosted page)', async ({
  page,
}, testInfo) => {
  const userName = newUserId('demo-totp');
  await createAccount(page, userName);
  await capturePage(page, testInfo, 'demo-sign-in');

  // A wrong password is refused in words, and nothing reaches Holdfast.
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText("That user name and password don't match.");

  await signInWithPassword(page, userName);
  await capturePage(page, testInfo, 'demo-setup');
  await goToSetup(page);
  const { secret, confirmedStep } = await enrollTotpInPortal(page, testInfo, { label: 'Demo phone' });

  // Back to the demo: the password again, then the second step Holdfast now knows about.
  await signInWithPassword(page, userName);
  await expect(page).toHaveURL(`${demoUrl()}/verify`);
  await expect(page.getByRole('heading', { level: 2, name: 'Authenticator app' })).toBeVisible();
  await capturePage(page, testInfo, 'demo-second-step');
  await page.getByLabel('6-digit code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toHaveText("That code didn't match. Check your authenticator app and try again.");

  const { code, step } = await freshTotpCode({ secret, afterStep: confirmedStep });
  await page.getByLabel('6-digit code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expectSignedIn(page, userName);
  await expect(page.getByText('Second step: authenticator app')).toBeVisible();
  await capturePage(page, testInfo, 'demo-signed-in');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('status')).toHaveText('You are signed out.');
  await page.goto(`${demoUrl()}/account`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  // The third way: Holdfast's hosted page asks for the code and sends the browser back with a
  // one-time code, which the demo redeems server to server for this user.
  await signInWithPassword(page, userName);
  await page.getByRole('button', { name: "Continue on Holdfast's page" }).click();
  await expect(page.getByRole('heading', { name: 'Verify it is you' })).toBeVisible();
  const next = await freshTotpCode({ secret, afterStep: step });
  await page.getByLabel('6-digit code').fill(next.code);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expectSignedIn(page, userName);
  await expect(page.getByText("Second step: Holdfast's verification page (otp)")).toBeVisible();
});

test('[DEMO_LOGIN_PASSKEY] sign up in the demo, add a passkey in the portal, sign in with password + passkey on the demo page', async ({ page }, testInfo) => {
  const userName = newUserId('demo-passkey');
  await addVirtualAuthenticator(page);
  await createAccount(page, userName);
  await signInWithPassword(page, userName);
  await goToSetup(page);
  await page.getByLabel('Name for this key').fill('Demo laptop');
  await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
  await expect(page.getByText(/Your security key or passkey is added/)).toBeVisible();

  await signInWithPassword(page, userName);
  await expect(page).toHaveURL(`${demoUrl()}/verify`);
  await capturePage(page, testInfo, 'demo-passkey-step');
  // The ceremony runs on the demo's own page (its origin is an allowed origin of the application).
  await page.getByRole('button', { name: 'Use a passkey or security key' }).click();
  await expectSignedIn(page, userName);
  await expect(page.getByText('Second step: passkey or security key')).toBeVisible();
  await capturePage(page, testInfo, 'demo-passkey-signed-in');
});
