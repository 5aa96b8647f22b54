import { expect, test } from '@playwright/test';
import { expectAccessible } from '../src/axe';
import { capturePage, newUserId, openPortal, relyingApp } from '../src/portal';

test('[RECOVERY_CODES] generate codes in the portal; one verifies once through the API', async ({ page }, testInfo) => {
  const userId = newUserId('recovery');
  await openPortal(page, userId);
  await page.getByRole('button', { name: 'Generate recovery codes' }).click();

  const list = page.getByTestId('recovery-codes');
  await expect(list.getByRole('listitem')).toHaveCount(10);
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeFocused();
  await expect(page.getByText('They are shown only this once')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Copy codes' })).toBeVisible();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download .txt' }).click();
  expect((await download).suggestedFilename()).toBe('holdfast-recovery-codes.txt');
  await capturePage(page, testInfo, 'recovery-codes');
  await expectAccessible(page, testInfo, 'recovery-codes');

  const codes = (await list.getByRole('listitem').allInnerTexts()).map((text) => text.trim());
  const code = codes[0];
  if (code === undefined) throw new Error('no recovery code on the page');
  const api = relyingApp();
  expect((await api.verifyRecoveryCode({ userId, code })).outcome).toBe('accepted');
  expect((await api.verifyRecoveryCode({ userId, code })).outcome).toBe('rejected');

  // Once saved, the codes leave the page; the factor list counts what is left.
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(list).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('listitem').filter({ hasText: 'Recovery codes' })).toContainText('9 left');
  await expect(page.getByRole('button', { name: 'Generate new recovery codes' })).toBeVisible();
  await capturePage(page, testInfo, 'recovery-codes-saved');
});
