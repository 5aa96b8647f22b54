import { createDatabase } from '@holdfast/db';
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../src/axe';
import { capturePage, continueFromLink, enrollTotpInPortal, freshTotpCode, newUserId, openPortal, relyingApp } from '../src/portal';
import { readState } from '../src/state';
import { addVirtualAuthenticator } from '../src/webauthn';

async function steppedUpCount(userId: string): Promise<number> {
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  try {
    const user = await db.prisma.user.findFirstOrThrow({ where: { externalId: userId }, select: { id: true } });
    return await db.prisma.auditEvent.count({ where: { userId: user.id, type: 'enrollment.stepped_up' } });
  } finally {
    await db.close();
  }
}

test('[PORTAL_STEP_UP] a user with a factor opens a new link and must confirm it is them before adding a passkey', async ({ page }, testInfo) => {
  const userId = newUserId('step-up');
  await addVirtualAuthenticator(page);
  // First binding: a user with no factor sets up an authenticator app without any step-up.
  await openPortal(page, userId);
  const { secret, confirmedStep } = await enrollTotpInPortal(page, testInfo, { label: 'Phone' });

  // Later, a new link (whoever holds it): the portal asks "Confirm it's you" before any change.
  await continueFromLink(page, (await relyingApp().createEnrollmentLink({ userId })).url);
  const confirm = page.getByRole('heading', { level: 2, name: "Confirm it's you" });
  await expect(confirm).toBeVisible();
  await expect(confirm).toBeFocused();
  await expect(page.getByRole('button', { name: 'Add a security key or passkey' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Set up authenticator app' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Rename/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Remove/ })).toHaveCount(0);
  // The factor list stays visible (read-only), so the person sees what they have.
  await expect(page.getByRole('listitem').filter({ hasText: 'Phone' })).toBeVisible();
  await capturePage(page, testInfo, 'step-up');
  await expectAccessible(page, testInfo, 'step-up');

  // A wrong code: words, and still no way to add anything.
  const codeField = page.getByLabel('6-digit code from your authenticator app');
  await codeField.fill('000000');
  await page.getByRole('button', { name: 'Confirm with code' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "That code didn't match" })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add a security key or passkey' })).toHaveCount(0);
  await capturePage(page, testInfo, 'step-up-wrong-code');

  // The current code from the app: the portal opens up, and the passkey can be added.
  const { code } = await freshTotpCode({ secret, afterStep: confirmedStep });
  await codeField.fill(code);
  await page.getByRole('button', { name: 'Confirm with code' }).click();
  await expect(confirm).toHaveCount(0);
  await page.getByLabel('Name for this key').fill('Laptop passkey');
  await page.getByRole('button', { name: 'Add a security key or passkey' }).click();
  await expect(page.getByText(/Your security key or passkey is added/)).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Laptop passkey' })).toContainText('Security key or passkey');

  // Another new link: this time the passkey confirms it, then new recovery codes can be made.
  await continueFromLink(page, (await relyingApp().createEnrollmentLink({ userId })).url);
  await expect(confirm).toBeVisible();
  await page.getByRole('button', { name: 'Use your security key or passkey' }).click();
  await expect(confirm).toHaveCount(0);
  await page.getByRole('button', { name: 'Generate recovery codes' }).click();
  await expect(page.getByTestId('recovery-codes').getByRole('listitem')).toHaveCount(10);
  expect(await steppedUpCount(userId)).toBe(2);
});
