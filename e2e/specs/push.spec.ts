// Push approval end to end (issue 11): the portal pairs the PWA, a relying app begins a push on
// gateway B, the local push service receives the real Web Push (VAPID checked, payload decrypted
// with the phone's keys), the push is delivered into the PWA's real service worker, its
// notification leads to the approval screen, and the answer is read on gateway A.
import { createApplication, createDatabase, type Database } from '@holdfast/db';
import { createHoldfastClient } from '@holdfast/sdk';
import { expect, test, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { continueFromLink, enrollTotpInPortal, freshTotpCode, newUserId, openPortal, relyingApp } from '../src/portal';
import {
  checkPhoneScreen,
  deliverPushUntilShown,
  openApproval,
  openPhone,
  otherNumber,
  pairPhoneFromPortal,
  receivePush,
  relyingAppOnGatewayA,
  relyingAppOnGatewayB,
  shownNotifications,
  subscribedVapidKey,
} from '../src/push';
import type { TestPushSubscription } from '@holdfast/process/push-service';
import { receivedPush, respondWith } from '../src/push-service-api';
import { readState } from '../src/state';

const applicationName = 'E2E relying app';

async function withDatabase<T>(run: (db: Database) => Promise<T>): Promise<T> {
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  try {
    return await run(db);
  } finally {
    await db.close();
  }
}

/** A new user with no factor yet (first binding: no step-up) pairs a phone from the portal. */
async function pairedPhone(
  page: Page,
  context: BrowserContext,
  prefix: string,
  options: { openLink?: (page: Page, userId: string) => Promise<void>; testInfo?: TestInfo } = {},
): Promise<{ userId: string; phone: Page; subscription: TestPushSubscription }> {
  const userId = newUserId(prefix);
  await (options.openLink ?? openPortal)(page, userId);
  const { phone, subscription } = await openPhone(context);
  await pairPhoneFromPortal(page, phone, { deviceName: `${prefix} phone`, ...(options.testInfo === undefined ? {} : { testInfo: options.testInfo }) });
  return { userId, phone, subscription };
}

test('[PUSH_PAIR] a user with an authenticator app steps up, pairs the PWA from the portal, and sees the phone in the factor list', async ({
  page,
  context,
}, testInfo) => {
  const userId = newUserId('push-pair');
  await openPortal(page, userId);
  const { secret, confirmedStep } = await enrollTotpInPortal(page, testInfo, { label: 'Authenticator' });

  // A later link: "Confirm it's you" first (the user has a factor), then the phone can be added.
  await continueFromLink(page, (await relyingApp().createEnrollmentLink({ userId })).url);
  await expect(page.getByRole('heading', { level: 2, name: "Confirm it's you" })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add this phone for push' })).toHaveCount(0);
  const { code } = await freshTotpCode({ secret, afterStep: confirmedStep });
  await page.getByLabel('6-digit code from your authenticator app').fill(code);
  await page.getByRole('button', { name: 'Confirm with code' }).click();
  await expect(page.getByRole('heading', { level: 2, name: "Confirm it's you" })).toHaveCount(0);

  const { phone } = await openPhone(context);
  await pairPhoneFromPortal(page, phone, { deviceName: 'Pixel in my pocket', testInfo });
  // Stepped up, the portal stays open for changes and names the new phone.
  await expect(page.getByText('Paired: Pixel in my pocket')).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Pixel in my pocket' })).toContainText('Phone for push approval');
  await expect(page.getByRole('listitem').filter({ hasText: 'Authenticator' })).toBeVisible();

  // The PWA subscribed with the deployment's VAPID key, and the gateway keeps the subscription (encrypted).
  expect(await subscribedVapidKey(phone)).toMatch(/^[A-Za-z0-9_-]{86,87}$/);
  const device = await withDatabase((db) =>
    db.prisma.pushDevice.findFirstOrThrow({ where: { user: { externalId: userId } }, select: { subscriptionEnc: true, subscriptionGoneAt: true } }),
  );
  expect(device.subscriptionEnc).not.toBeNull();
  expect(device.subscriptionEnc).not.toContain('/push/e2e-');
  expect(device.subscriptionGoneAt).toBeNull();

  // The PWA's home lists the pairing and no request.
  await phone.goto(`${readState().pushUrl}/`);
  await expect(phone.getByRole('heading', { level: 2, name: 'Paired on this device' })).toBeVisible();
  await expect(phone.getByText('Pixel in my pocket')).toBeVisible();
  await expect(phone.getByText('No sign-in requests')).toBeVisible();
});

test('[PUSH_APPROVE_NUMBER] a push begun on gateway B arrives encrypted, its notification opens the approval, the typed number approves, gateway A reports it', async ({
  page,
  context,
}, testInfo) => {
  const { userId, phone, subscription } = await pairedPhone(page, context, 'push-approve');
  await phone.goto(`${readState().pushUrl}/`);

  const attemptId = `login-${userId}`;
  const begun = await relyingAppOnGatewayB().pushBegin({
    userId,
    attemptId,
    context: { ipAddress: '203.0.113.7', location: 'Lisbon, Portugal', browser: 'Firefox on Linux' },
  });
  expect(begun).toMatchObject({ status: 'pending', deviceCount: 1, replayed: false });
  expect(begun.number).toMatch(/^[0-9]{2,3}$/);

  // What the push service received: VAPID-signed with the key the PWA subscribed with, encrypted to
  // the phone's keys; the payload names the transaction and application — never the number.
  const push = await receivePush(subscription);
  expect(push.vapidKey).toBe(await subscribedVapidKey(phone));
  expect(push.payload).toMatchObject({ transactionId: begun.transactionId, applicationName });
  expect(Object.keys(push.payload).sort()).toEqual(['applicationName', 'expiresAt', 'transactionId']);
  expect(Object.values(push.payload)).not.toContain(begun.number);
  expect(push.headers.urgency).toBe('high');
  expect(Number(push.headers.ttl)).toBeGreaterThan(0);
  expect(Number(push.headers.ttl)).toBeLessThanOrEqual(60);
  expect(push.headers.topic).toBe(begun.transactionId.replace(/-/g, ''));

  // Delivered into the real service worker: it shows a notification that leads to the approval.
  const notification = await deliverPushUntilShown(phone, push.raw, begun.transactionId);
  expect(notification).toMatchObject({ title: 'Sign-in request', url: `/approve?tx=${begun.transactionId}` });
  expect(notification.body).toContain(applicationName);
  expect(notification.body).not.toContain(begun.number);
  await phone.goto(`${readState().pushUrl}${notification.url ?? ''}`);

  await expect(phone.getByRole('heading', { level: 1, name: `Are you signing in to ${applicationName}?` })).toBeVisible();
  await expect(phone.getByText('Lisbon, Portugal · 203.0.113.7')).toBeVisible();
  await expect(phone.getByText('Firefox on Linux')).toBeVisible();
  await checkPhoneScreen(phone, testInfo, 'pwa-approve');
  await phone.getByLabel('Number shown on your sign-in screen').fill(begun.number);
  await phone.getByRole('button', { name: 'Approve' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Approved — you can return to your sign-in' })).toBeVisible();
  await checkPhoneScreen(phone, testInfo, 'pwa-approved');

  // The relying app, on the other gateway, learns it (long-poll); the same attempt id replays it.
  const status = await relyingAppOnGatewayA().pushStatus({ transactionId: begun.transactionId, waitMs: 5000 });
  expect(status).toMatchObject({ transactionId: begun.transactionId, status: 'approved' });
  expect(status.decidedAt).not.toBeNull();
  expect(await relyingAppOnGatewayA().pushBegin({ userId, attemptId })).toMatchObject({
    transactionId: begun.transactionId,
    status: 'approved',
    replayed: true,
  });
});

test('[PUSH_WRONG_NUMBER] a mistyped number denies the sign-in', async ({ page, context }, testInfo) => {
  const { userId, phone } = await pairedPhone(page, context, 'push-wrong');
  const begun = await relyingAppOnGatewayB().pushBegin({ userId });
  await openApproval(phone, begun.transactionId);
  await phone.getByLabel('Number shown on your sign-in screen').fill(otherNumber(begun.number));
  await phone.getByRole('button', { name: 'Approve' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Denied' })).toBeVisible();
  await expect(phone.getByText('The number you typed did not match the sign-in screen')).toBeVisible();
  await checkPhoneScreen(phone, testInfo, 'pwa-denied-wrong-number');
  expect(await relyingAppOnGatewayA().pushStatus({ transactionId: begun.transactionId, waitMs: 5000 })).toMatchObject({
    status: 'denied',
    reason: 'wrong_number',
  });
});

test('[PUSH_DENY_FRAUD] "This wasn\'t me" denies; "Report fraud" denies and suspends push for the user', async ({ page, context }, testInfo) => {
  const { userId, phone } = await pairedPhone(page, context, 'push-fraud');
  const app = relyingAppOnGatewayB();

  const first = await app.pushBegin({ userId });
  await openApproval(phone, first.transactionId);
  await phone.getByRole('button', { name: "This wasn't me" }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Denied' })).toBeVisible();
  await checkPhoneScreen(phone, testInfo, 'pwa-denied');
  expect(await relyingAppOnGatewayA().pushStatus({ transactionId: first.transactionId, waitMs: 5000 })).toMatchObject({ status: 'denied' });

  const second = await app.pushBegin({ userId });
  await openApproval(phone, second.transactionId);
  await phone.getByRole('button', { name: 'Report fraud' }).click();
  await expect(phone.getByRole('heading', { level: 2, name: 'Report this sign-in as fraud?' })).toBeFocused();
  await phone.getByRole('button', { name: 'Yes, report fraud' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Reported — push sign-ins are paused for 20 minutes' })).toBeVisible();
  await checkPhoneScreen(phone, testInfo, 'pwa-fraud-reported');
  expect(await relyingAppOnGatewayA().pushStatus({ transactionId: second.transactionId, waitMs: 5000 })).toMatchObject({
    status: 'denied',
    reason: 'fraud_reported',
  });

  // The next push for this user is refused, on any gateway, with when to ask again.
  await expect(relyingAppOnGatewayA().pushBegin({ userId })).rejects.toMatchObject({ code: 'PUSH_SUSPENDED' });
  // Audited once (the application's webhook event comes from this row).
  const audited = await withDatabase(async (db) => {
    const user = await db.prisma.user.findFirstOrThrow({ where: { externalId: userId }, select: { id: true } });
    return db.prisma.auditEvent.count({ where: { type: 'push.fraud_reported', userId: user.id } });
  });
  expect(audited).toBe(1);
});

test('[PUSH_EXPIRED] an answer that reaches the gateway after the request expired is recorded as expired, not approved', async ({
  page,
  context,
}, testInfo) => {
  // An application whose pushes live 15 s (the shortest allowed), so the real clock runs it out.
  const shortLived = await withDatabase(async (db) => {
    const created = await createApplication({ prisma: db.prisma, name: 'E2E short push app' });
    await db.prisma.application.update({ where: { id: created.applicationId }, data: { pushTtlSeconds: 15 } });
    return created;
  });
  const app = createHoldfastClient({ gateways: readState().gatewayUrls, apiKey: shortLived.apiKey, probeIntervalMs: 0 });
  const { userId, phone } = await pairedPhone(page, context, 'push-expired', {
    openLink: async (portal, id) => {
      await continueFromLink(portal, (await app.createEnrollmentLink({ userId: id })).url);
    },
  });

  const begun = await app.pushBegin({ userId });
  const expiresAt = Date.parse(begun.expiresAt);
  expect(expiresAt - Date.now()).toBeLessThanOrEqual(15_000);
  await openApproval(phone, begun.transactionId, 'E2E short push app');
  await phone.getByLabel('Number shown on your sign-in screen').fill(begun.number);

  // The signed answer is made now, while the request lives, and held on the way until it expired.
  await phone.route(
    (url) => url.pathname === '/approve',
    async (route) => {
      if (route.request().method() === 'POST') {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 1000)));
      }
      await route.continue();
    },
  );
  const answered = phone.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/approve', {
    timeout: 30_000,
  });
  await phone.getByRole('button', { name: 'Approve' }).click();
  await answered;
  await expect(phone.getByRole('heading', { level: 1, name: 'This request expired' })).toBeVisible();
  await expect(phone.getByRole('heading', { name: /Approved/ })).toHaveCount(0);
  await checkPhoneScreen(phone, testInfo, 'pwa-expired');

  // The late answer itself was recorded (by this device), as expired.
  const row = await withDatabase((db) =>
    db.prisma.pushTransaction.findUniqueOrThrow({ where: { id: begun.transactionId }, select: { status: true, deviceId: true, reason: true } }),
  );
  expect(row).toMatchObject({ status: 'expired', reason: 'expired' });
  expect(row.deviceId).not.toBeNull();
  expect(await app.pushStatus({ transactionId: begun.transactionId })).toMatchObject({ status: 'expired' });
});

test('[PUSH_PENDING_WITHOUT_PUSH] with no push delivered, the PWA lists the pending request and approves it', async ({ page, context }, testInfo) => {
  const { userId, phone } = await pairedPhone(page, context, 'push-nopush');
  await phone.goto(`${readState().pushUrl}/`);
  await expect(phone.getByText('No sign-in requests')).toBeVisible();

  const begun = await relyingAppOnGatewayB().pushBegin({ userId });
  await phone.getByRole('button', { name: 'Check for requests' }).click();
  const request = phone.getByRole('link', { name: new RegExp(`^Review sign-in to ${applicationName}`) });
  await expect(request).toBeVisible();
  await checkPhoneScreen(phone, testInfo, 'pwa-home-pending');
  expect(await shownNotifications(phone)).toEqual([]);

  await request.click();
  await expect(phone).toHaveURL(new RegExp(`/approve\\?tx=${begun.transactionId}$`));
  await phone.getByLabel('Number shown on your sign-in screen').fill(begun.number);
  await phone.getByRole('button', { name: 'Approve' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Approved — you can return to your sign-in' })).toBeVisible();
  expect(await relyingAppOnGatewayA().pushStatus({ transactionId: begun.transactionId, waitMs: 5000 })).toMatchObject({ status: 'approved' });
});

test('[PUSH_GONE_410] a subscription its push service calls gone (410) is removed and audited; the PWA still answers through its signed list', async ({
  page,
  context,
}) => {
  const state = readState();
  const { userId, phone, subscription } = await pairedPhone(page, context, 'push-gone');
  const { endpoint } = subscription.subscription;
  await respondWith(state.pushServiceApiUrl, endpoint, 410);

  const begun = await relyingAppOnGatewayB().pushBegin({ userId });
  expect((await receivedPush(state.pushServiceApiUrl, endpoint)).status).toBe(410);
  await expect
    .poll(() =>
      withDatabase(async (db) => {
        const device = await db.prisma.pushDevice.findFirstOrThrow({ where: { user: { externalId: userId } } });
        const audited = await db.prisma.auditEvent.count({ where: { type: 'push.subscription_gone', userId: device.userId } });
        return { hasSubscription: device.subscriptionEnc !== null, isGone: device.subscriptionGoneAt !== null, audited };
      }),
    )
    .toEqual({ hasSubscription: false, isGone: true, audited: 1 });

  // Push delivery is down for this phone, approval is not.
  await openApproval(phone, begun.transactionId);
  await phone.getByLabel('Number shown on your sign-in screen').fill(begun.number);
  await phone.getByRole('button', { name: 'Approve' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Approved — you can return to your sign-in' })).toBeVisible();
  expect(await relyingAppOnGatewayA().pushStatus({ transactionId: begun.transactionId, waitMs: 5000 })).toMatchObject({ status: 'approved' });
});
