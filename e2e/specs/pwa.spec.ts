// The push PWA as an installable app (issue 11): Chromium's own installability check, and the
// offline shell the service worker shows instead of a browser error.
import { expect, test } from '@playwright/test';
import { checkPhoneScreen, phoneViewport } from '../src/push';
import { readState } from '../src/state';

test('[PWA_INSTALLABLE] Chromium reports no installability error for the PWA (other than the test profile being off the record)', async ({ page }) => {
  const { pushUrl } = readState();
  await page.goto(`${pushUrl}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign-in requests' })).toBeVisible();
  const cdp = await page.context().newCDPSession(page);
  const manifest = await cdp.send('Page.getAppManifest', {});
  expect(manifest.url).toBe(`${pushUrl}/manifest.webmanifest`);
  expect(manifest.errors).toEqual([]);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  // Playwright's default context is off the record: Chromium always says `in-incognito` there.
  expect(installabilityErrors.filter((error) => error.errorId !== 'in-incognito')).toEqual([]);
});

test('[PWA_OFFLINE] with the service worker active and no network, a navigation shows the offline shell', async ({ page, context }, testInfo) => {
  const { pushUrl } = readState();
  await page.setViewportSize(phoneViewport);
  await page.goto(`${pushUrl}/`);
  // Active and in control of this page (the worker claims its clients when it activates).
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  await context.setOffline(true);
  try {
    await page.goto(`${pushUrl}/approve?tx=0190a8e0-0000-7000-8000-000000000000`);
    await expect(page.getByRole('heading', { level: 1, name: 'You are offline' })).toBeVisible();
    await expect(page.getByText('Approving or denying a sign-in needs a connection')).toBeVisible();
    await checkPhoneScreen(page, testInfo, 'pwa-offline');
  } finally {
    await context.setOffline(false);
  }
  await page.goto(`${pushUrl}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign-in requests' })).toBeVisible();
});
