// Push approval in the browser tests (issue 11). What is real: the PWA and its service worker, the
// gateways' Web Push (the `web-push` library: VAPID + RFC 8291 encryption) to a local HTTPS push
// service, the device's WebCrypto key and signatures. What is stubbed, because headless Chromium can
// only subscribe through its vendor's push service: `PushManager.prototype.subscribe` and
// `getSubscription`, which hand the PWA a subscription whose endpoint is the local service and whose
// keys this test made. The push is then delivered into the real service worker with Chromium's
// DevTools protocol (`ServiceWorker.deliverPushMessage`), as a push service would.
import { checkVapidAuthorization, createTestSubscription, decryptPushJson, type TestPushSubscription } from '@holdfast/process/push-service';
import { createHoldfastClient, type HoldfastClient } from '@holdfast/sdk';
import { expect, type BrowserContext, type CDPSession, type Page, type TestInfo } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { expectAccessible } from './axe';
import { receivedPush } from './push-service-api';
import { readState } from './state';

export const phoneViewport = { width: 375, height: 812 } as const;
/** Where the stubbed PushManager keeps the VAPID key the PWA subscribed with (the PWA's origin). */
const applicationServerKeyItem = 'e2e-push-application-server-key';

/** A relying-app client that talks to gateway A only (the portal-side tests' SDK prefers B). */
export function relyingAppOnGatewayA(apiKey = readState().apiKey): HoldfastClient {
  const [gatewayA] = readState().gatewayUrls;
  if (gatewayA === undefined) throw new Error('no gateway in the e2e state');
  return createHoldfastClient({ gateways: [gatewayA], apiKey, probeIntervalMs: 0 });
}

/** The relying app on gateway B only: a push begins there and is answered through A. */
export function relyingAppOnGatewayB(apiKey = readState().apiKey): HoldfastClient {
  const gatewayB = readState().gatewayUrls[1];
  if (gatewayB === undefined) throw new Error('the e2e state has no second gateway');
  return createHoldfastClient({ gateways: [gatewayB], apiKey, probeIntervalMs: 0 });
}

/** Web Push keys for one test phone, with an endpoint on the local push service. */
export function createPhoneSubscription(): TestPushSubscription {
  return createTestSubscription(`${readState().pushServiceOrigin}/push/e2e-${randomBytes(6).toString('hex')}`);
}

/**
 * Replaces ONLY `PushManager.prototype.subscribe` and `getSubscription` in every page of `context`:
 * subscribe records the VAPID key it was given and returns the test's subscription; getSubscription
 * returns it once subscribed. The service worker, notifications and everything else stay real.
 */
export async function stubPushManager(context: BrowserContext, subscription: TestPushSubscription): Promise<void> {
  await context.addInitScript(
    ({ json, storageItem }) => {
      if (typeof PushManager === 'undefined') return;
      const fromBase64url = (text: string): Uint8Array<ArrayBuffer> => {
        const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
        return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      };
      const toBase64url = (bytes: Uint8Array): string =>
        btoa(String.fromCharCode(...bytes))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      // A plain object with PushSubscription's shape: the PWA reads only these members.
      const make = (applicationServerKey: ArrayBuffer): PushSubscription => ({
        endpoint: json.endpoint,
        expirationTime: null,
        options: { applicationServerKey, userVisibleOnly: true },
        getKey: (name: PushEncryptionKeyName) => (name === 'p256dh' ? fromBase64url(json.keys.p256dh).buffer : fromBase64url(json.keys.auth).buffer),
        toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: { ...json.keys } }),
        unsubscribe: () => {
          localStorage.removeItem(storageItem);
          return Promise.resolve(true);
        },
      });
      const keyBytes = (key: BufferSource | string | null | undefined): Uint8Array => {
        if (typeof key === 'string') return fromBase64url(key);
        if (key instanceof ArrayBuffer) return new Uint8Array(key);
        if (key !== null && key !== undefined) return new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
        return new Uint8Array();
      };
      PushManager.prototype.subscribe = function subscribe(options?: PushSubscriptionOptionsInit): Promise<PushSubscription> {
        const key = keyBytes(options?.applicationServerKey);
        localStorage.setItem(storageItem, toBase64url(key));
        return Promise.resolve(make(key.slice().buffer));
      };
      PushManager.prototype.getSubscription = function getSubscription(): Promise<PushSubscription | null> {
        const stored = localStorage.getItem(storageItem);
        return Promise.resolve(stored === null ? null : make(fromBase64url(stored).buffer));
      };
    },
    { json: subscription.subscription, storageItem: applicationServerKeyItem },
  );
}

/** The VAPID public key the PWA subscribed with (base64url), read from the stub. */
export async function subscribedVapidKey(phone: Page): Promise<string | null> {
  return phone.evaluate((item) => localStorage.getItem(item), applicationServerKeyItem);
}

/**
 * A phone: a page at phone size in `context`, allowed to show notifications, whose PushManager is
 * stubbed with a fresh subscription on the local push service.
 */
export async function openPhone(context: BrowserContext): Promise<{ phone: Page; subscription: TestPushSubscription }> {
  const subscription = createPhoneSubscription();
  await context.grantPermissions(['notifications'], { origin: readState().pushUrl });
  await stubPushManager(context, subscription);
  const phone = await context.newPage();
  await phone.setViewportSize(phoneViewport);
  return { phone, subscription };
}

/** A 375×812 screenshot (kept in test-results/, attached to the test) and the WCAG 2.2 AA scan. */
export async function checkPhoneScreen(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const original = page.viewportSize();
  await page.setViewportSize(phoneViewport);
  const file = testInfo.outputPath(`${name}-phone.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(`${name} (phone 375×812)`, { path: file, contentType: 'image/png' });
  await expectAccessible(page, testInfo, name);
  if (original !== null) await page.setViewportSize(original);
}

/**
 * The portal's "Add this phone for push" (the portal page must show it: no factor yet, or after a
 * step-up), the link opened on the phone, paired there; the portal then names the new device.
 */
export async function pairPhoneFromPortal(portal: Page, phone: Page, options: { deviceName: string; testInfo?: TestInfo }): Promise<{ pairingUrl: string }> {
  await portal.getByRole('button', { name: 'Add this phone for push' }).click();
  const link = portal.getByTestId('push-pairing-link');
  await expect(link).toBeVisible();
  const pairingUrl = (await link.getAttribute('href')) ?? '';
  expect(pairingUrl).toMatch(new RegExp(`^${readState().pushUrl}/pair#[A-Za-z0-9_-]+$`));
  if (options.testInfo !== undefined) await checkPhoneScreen(portal, options.testInfo, 'portal-push-pairing');

  await phone.goto(pairingUrl);
  await expect(phone.getByRole('heading', { level: 1, name: 'Pair this device' })).toBeVisible();
  await expect(phone.getByLabel('Device name')).toBeVisible();
  if (options.testInfo !== undefined) await checkPhoneScreen(phone, options.testInfo, 'pwa-pair');
  await phone.getByLabel('Device name').fill(options.deviceName);
  await phone.getByRole('button', { name: 'Turn on notifications and pair' }).click();
  await expect(phone.getByRole('heading', { level: 1, name: 'Paired' })).toBeVisible();
  await expect(phone.getByText('You will get a notification for each sign-in request.')).toBeVisible();
  if (options.testInfo !== undefined) await checkPhoneScreen(phone, options.testInfo, 'pwa-paired');

  // The portal watches for the new device and lists it with the user's factors.
  await expect(portal.getByRole('listitem').filter({ hasText: options.deviceName })).toContainText('Phone for push approval', { timeout: 15_000 });
  return { pairingUrl };
}

/** The Web Push the gateway sent to `subscription`: VAPID checked, payload decrypted with the phone's keys. */
export async function receivePush(
  subscription: TestPushSubscription,
  options: { after?: number } = {},
): Promise<{ payload: { transactionId: string; applicationName: string; expiresAt: string }; raw: string; headers: Record<string, string>; vapidKey: string }> {
  const state = readState();
  const received = await receivedPush(state.pushServiceApiUrl, subscription.subscription.endpoint, { after: options.after ?? 0 });
  expect(received.method).toBe('POST');
  expect(received.status).toBe(201);
  // RFC 8292, checked here too (not only by the service): ES256 over k, aud = the push service's origin.
  const vapid = checkVapidAuthorization(received.headers.authorization, state.pushServiceOrigin);
  if (!vapid.isValid) throw new Error(`VAPID check failed: ${vapid.error}`);
  expect(received.vapidIsValid).toBe(true);
  expect(received.headers.contentEncoding).toBe('aes128gcm');
  const body = Buffer.from(received.bodyBase64, 'base64');
  const raw = JSON.stringify(decryptPushJson(body, subscription));
  const payload = JSON.parse(raw) as { transactionId: string; applicationName: string; expiresAt: string };
  return { payload, raw, headers: received.headers, vapidKey: vapid.publicKey };
}

/** The PWA's service-worker registration id for its origin, through CDP (`ServiceWorker.enable`). */
async function registrationIdFor(phone: Page): Promise<{ cdp: CDPSession; registrationId: string; origin: string }> {
  const origin = readState().pushUrl;
  // The worker must be active before a push can be delivered to it.
  await phone.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const cdp = await phone.context().newCDPSession(phone);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const registrationId = await new Promise<string>((resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no service worker registration for ${origin}/`));
    }, 10_000);
    cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => {
      const registration = event.registrations.find((candidate) => candidate.scopeURL === `${origin}/` && !candidate.isDeleted);
      if (registration !== undefined) resolve(registration.registrationId);
    });
    // Enabling the domain reports every existing registration.
    cdp.send('ServiceWorker.enable').catch(reject);
  }).finally(() => {
    clearTimeout(timer);
  });
  return { cdp, registrationId, origin };
}

/** Delivers `data` into the PWA's real service worker as a push message (CDP `ServiceWorker.deliverPushMessage`). */
export async function deliverPush(phone: Page, data: string): Promise<void> {
  // The same session: deliverPushMessage needs the ServiceWorker domain enabled on it.
  const { cdp, registrationId, origin } = await registrationIdFor(phone);
  try {
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data });
  } finally {
    await cdp.detach();
  }
}

export interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  url: string | null;
}

/** The notifications the service worker shows now (`registration.getNotifications()`). */
export async function shownNotifications(phone: Page): Promise<ShownNotification[]> {
  return phone.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const notifications = await registration.getNotifications();
    return notifications.map((notification) => {
      const data = notification.data as { url?: unknown } | null;
      return { title: notification.title, body: notification.body, tag: notification.tag, url: typeof data?.url === 'string' ? data.url : null };
    });
  });
}

/**
 * Delivers a push into the PWA's service worker and waits for the notification it shows (by tag).
 * If none shows within a few seconds the message is delivered once more — as a push service
 * redelivers a message the browser did not acknowledge; the same tag replaces, never stacks — since
 * on a loaded machine a worker that Chromium is still starting can miss a CDP delivery. The second
 * delivery must produce the notification, or the test fails.
 */
export async function deliverPushUntilShown(phone: Page, data: string, tag: string): Promise<ShownNotification> {
  const find = async (): Promise<ShownNotification | undefined> => (await shownNotifications(phone)).find((shown) => shown.tag === tag);
  for (const waitMs of [8_000, 15_000]) {
    await deliverPush(phone, data);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const shown = await find();
      if (shown !== undefined) return shown;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`the service worker showed no notification tagged ${tag}`);
}

/** A number of the same length that is not `number`. */
export function otherNumber(number: string): string {
  const modulus = 10 ** number.length;
  return String((Number(number) + 1) % modulus).padStart(number.length, '0');
}

/** The approval screen of the PWA, with the request shown. */
export async function openApproval(phone: Page, transactionId: string, applicationName = 'E2E relying app'): Promise<void> {
  await phone.goto(`${readState().pushUrl}/approve?tx=${encodeURIComponent(transactionId)}`);
  await expect(phone.getByRole('heading', { level: 1, name: `Are you signing in to ${applicationName}?` })).toBeVisible();
}
