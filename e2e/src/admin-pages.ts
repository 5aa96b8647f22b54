// The console's Audit and Drills specs share these: an admin signed in the way an operator does it
// (CLI-made account, password, TOTP enrolled at first sign-in and verified by the gateways), and
// screenshots named by width (docs/screens/admin/<page>-1280.png and -375.png).
import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAdminWithCli, enterPassword, type AdminAccount } from './admin';
import { freshTotpCode } from './portal';
import { readState } from './state';

const screensDir = fileURLToPath(new URL('../../docs/screens/admin', import.meta.url));

export type AdminRole = 'owner' | 'admin' | 'helpdesk' | 'auditor';

/** A new admin of `role`, signed in: password, then an authenticator app enrolled and its code confirmed. */
export async function signInNewAdmin(page: Page, options: { name: string; role: AdminRole }): Promise<AdminAccount & { secret: string }> {
  const account = await createAdminWithCli(options);
  await enterPassword(page, account);
  // The password is checked with scrypt (128 MiB) on the gateway: slow on two busy cores.
  await expect(page.getByRole('heading', { level: 1, name: 'Set up your second factor' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
  const { code } = await freshTotpCode({ secret, afterStep: 0 });
  await page.getByLabel('6-digit code').fill(code);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await expect(page).toHaveURL(`${readState().adminUrl}/`, { timeout: 30_000 });
  return { ...account, secret };
}

const widths = [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
] as const;

/** Full-page screenshots at 1280×800 and 375×812 into docs/screens/admin/<name>-<width>.png (and attached). */
export async function captureConsolePage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  const original = page.viewportSize();
  for (const size of widths) {
    await page.setViewportSize(size);
    const file = `${screensDir}/${name}-${String(size.width)}.png`;
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name} (${String(size.width)} px)`, { path: file, contentType: 'image/png' });
  }
  if (original !== null) await page.setViewportSize(original);
}

/** No sideways scrolling: the document is no wider than the viewport. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, 'the page scrolls sideways').toBeLessThanOrEqual(0);
}
