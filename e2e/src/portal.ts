// Helpers the specs share: the relying application's side (SDK with its API key), fresh TOTP
// codes, and screenshots of every page at phone and desktop width.
import { generateTotpCode, timeStepAt } from '@holdfast/core';
import { createHoldfastClient, type HoldfastClient } from '@holdfast/sdk';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { readState } from './state';

const totpParams = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** The relying application's client. The second gateway first: the API side of a test then runs on a different gateway from the portal. */
export function relyingApp(): HoldfastClient {
  const state = readState();
  return createHoldfastClient({ gateways: [...state.gatewayUrls].reverse(), apiKey: state.apiKey, probeIntervalMs: 0 });
}

export function newUserId(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A valid code that has not been accepted yet: the current 30 s step, or the next one when the
 * current step is spent (each step is single use; the gateway accepts ±1 step around now).
 */
export async function freshTotpCode(options: { secret: string; afterStep: number }): Promise<{ code: string; step: number }> {
  for (;;) {
    const current = timeStepAt({ at: new Date(), period: 30 });
    const step = Math.max(current, options.afterStep + 1);
    if (step <= current + 1) {
      return { code: await generateTotpCode({ secret: options.secret, params: totpParams, at: new Date(step * 30_000 + 1) }), step };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const viewports = [
  { name: 'phone', size: { width: 375, height: 812 } },
  { name: 'desktop', size: { width: 1280, height: 800 } },
] as const;

/** Full-page screenshots at phone and desktop width, attached to the test and kept in test-results/. */
export async function capturePage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const original = page.viewportSize();
  for (const viewport of viewports) {
    await page.setViewportSize(viewport.size);
    const file = testInfo.outputPath(`${name}-${viewport.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name} (${viewport.name} ${viewport.size.width}×${viewport.size.height})`, { path: file, contentType: 'image/png' });
  }
  if (original !== null) await page.setViewportSize(original);
}

/**
 * Opens an enrollment link the way a person does: the GET shows a "Continue" page (opening a link
 * redeems nothing — mail scanners fetch links too), and the Continue button's POST redeems it.
 */
export async function continueFromLink(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/enroll$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' })).toBeVisible();
}

/** Opens a fresh enrollment link for `userId` and lands on the portal. */
export async function openPortal(page: Page, userId: string): Promise<void> {
  const link = await relyingApp().createEnrollmentLink({ userId });
  await continueFromLink(page, link.url);
}

/** Sets up the authenticator app in the portal the way a person would, with a code computed here. */
export async function enrollTotpInPortal(
  page: Page,
  testInfo: TestInfo,
  options: { label?: string; capture?: boolean } = {},
): Promise<{ secret: string; confirmedStep: number }> {
  if (options.label !== undefined) await page.getByLabel('Name for this app').fill(options.label);
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Scan this QR code/ })).toBeFocused();
  if (options.capture === true) await capturePage(page, testInfo, 'totp-scan');
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  const { code, step } = await freshTotpCode({ secret, afterStep: 0 });
  await page.getByLabel('6-digit code').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByText('Your authenticator app is set up.')).toBeVisible();
  return { secret, confirmedStep: step };
}
