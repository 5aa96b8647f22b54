import { expect, test } from '@playwright/test';
import { expectAccessible } from '../src/axe';
import { capturePage, enrollTotpInPortal, freshTotpCode, newUserId, openPortal } from '../src/portal';

test('[FACTORS] rename a factor; removing the last one asks for a code first', async ({ page }, testInfo) => {
  await openPortal(page, newUserId('factors'));
  const { secret, confirmedStep } = await enrollTotpInPortal(page, testInfo);

  const factor = page.getByRole('listitem').filter({ hasText: 'Authenticator app' });
  await factor.getByRole('button', { name: /^Rename/ }).click();
  await expect(page.getByLabel('New name')).toBeFocused();
  await page.getByLabel('New name').fill('Personal phone');
  await capturePage(page, testInfo, 'factor-rename');
  await expectAccessible(page, testInfo, 'factor-rename');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Renamed to “Personal phone”.' })).toBeVisible();
  const renamed = page.getByRole('listitem').filter({ hasText: 'Personal phone' });
  await expect(renamed).toBeVisible();
  // The new name is stored, not just shown.
  await page.reload();
  await expect(renamed).toBeVisible();

  await renamed.getByRole('button', { name: /^Remove/ }).click();
  await page.getByRole('button', { name: 'Yes, remove it' }).click();
  const codeInput = page.getByLabel('6-digit code from your authenticator app');
  await expect(codeInput).toBeFocused();
  await expect(renamed).toContainText('This is your last way to sign in.');
  await capturePage(page, testInfo, 'factor-remove-needs-code');

  await codeInput.fill('000000');
  await renamed.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(renamed.getByRole('alert')).toContainText("That code didn't match");

  const { code } = await freshTotpCode({ secret, afterStep: confirmedStep });
  await codeInput.fill(code);
  await renamed.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Removed “Personal phone”.' })).toBeVisible();
  await expect(page.getByText('You have not set up any factors yet.')).toBeVisible();
  await capturePage(page, testInfo, 'factor-removed');
});
