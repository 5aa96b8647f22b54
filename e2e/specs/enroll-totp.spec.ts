import { expect, test } from '@playwright/test';
import { expectAccessible } from '../src/axe';
import { capturePage, enrollTotpInPortal, freshTotpCode, newUserId, openPortal, relyingApp } from '../src/portal';

test('[ENROLL_TOTP] enroll an authenticator app from a link, then verify a code through the API', async ({ page }, testInfo) => {
  const userId = newUserId('totp');
  await openPortal(page, userId);
  await capturePage(page, testInfo, 'portal');

  const { secret, confirmedStep } = await enrollTotpInPortal(page, testInfo, { label: 'Work phone', capture: true });
  await expect(page.getByRole('listitem').filter({ hasText: 'Work phone' })).toContainText('Authenticator app');
  await capturePage(page, testInfo, 'totp-done');
  await expectAccessible(page, testInfo, 'totp-done');

  // The confirmation spent its step; a login uses the next one (another gateway answers it).
  const { code } = await freshTotpCode({ secret, afterStep: confirmedStep });
  const result = await relyingApp().verifyTotp({ userId, code });
  expect(result.outcome).toBe('accepted');

  // A wrong code gets a sentence, not a code or a stack trace.
  await page.getByRole('button', { name: 'Set up another app' }).click();
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  await page.getByLabel('6-digit code').fill('000000');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "That code didn't match" })).toBeVisible();
  await expect(page.getByLabel('6-digit code')).toBeFocused();
  await capturePage(page, testInfo, 'totp-wrong-code');

  // Cancelling drops the unfinished setup: only the confirmed app stays listed.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Set up authenticator app' })).toBeVisible();
  await expect(page.getByText('Setup not finished')).toHaveCount(0);
  await expect(page.getByRole('listitem').filter({ hasText: 'Authenticator app' })).toHaveCount(1);
});
