import { expect, test } from '@playwright/test';
import { captureAdminPage, restStatus, signInNewAdmin } from '../src/admin';
import { expectAccessible } from '../src/axe';
import { newUserId } from '../src/portal';
import { readState } from '../src/state';

test.describe.configure({ timeout: 180_000 });

/** 200 when the key is accepted on `gateway`, 401 when refused: an enrollment link is the cheapest authenticated call. */
async function keyStatus(gateway: string, apiKey: string): Promise<number> {
  return (await restStatus({ gateway, apiKey, path: '/v1/enrollment/create-link', body: { userId: newUserId('key-probe') } })).status;
}

async function expectKeyOnEveryGateway(apiKey: string, status: number): Promise<void> {
  for (const gateway of readState().gatewayUrls) expect(await keyStatus(gateway, apiKey), `${gateway} answers ${String(status)}`).toBe(status);
}

test('[ADMIN_API_KEY_ROTATE] a key made in the page, rotated with a short overlap: the new key works, the old one until the overlap ends', async ({
  page,
}, testInfo) => {
  await signInNewAdmin(page, { name: 'Rita Rotate', role: 'admin', factor: 'passkey' });
  await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Applications' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Applications' })).toBeVisible();
  await expect(page.getByTestId('application-list').getByRole('link', { name: 'E2E relying app' })).toBeVisible();

  // A new application: its first key is shown once.
  const name = `Rotation ${Math.random().toString(36).slice(2, 7)}`;
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create application' }).click();
  await expect(page.getByRole('heading', { level: 3, name: `API key for ${name}` })).toBeFocused();
  const firstKey = (await page.getByTestId('new-application-key').innerText()).trim();
  expect(firstKey).toMatch(/^hf_/);
  await expect(page.getByTestId('application-list').getByRole('link', { name })).toBeVisible();
  await captureAdminPage(page, testInfo, 'applications');
  await expectAccessible(page, testInfo, 'admin applications');
  await expectKeyOnEveryGateway(firstKey, 200);

  await page.getByRole('link', { name: `Open ${name}'s settings` }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expectAccessible(page, testInfo, 'admin application detail');

  // Settings: the gateway's own rules apply too — origins must sit on the RP ID, and it says so.
  await page.getByLabel(/^Allowed origins/).fill('https://app.example.com');
  await page.getByLabel(/^Passkey RP ID/).fill('localhost');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'is not on the RP ID' })).toBeVisible();
  // Settings: an RP ID, its origins and a callback, saved.
  await page.getByLabel(/^Passkey RP ID/).fill('example.com');
  await page.getByLabel(/^Allowed origins/).fill('https://app.example.com\nhttps://login.example.com');
  await page.getByLabel(/^Callback URLs/).fill('https://app.example.com/mfa/done');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(/^Allowed origins/)).toHaveValue('https://app.example.com\nhttps://login.example.com');
  // An invalid URL is named and focused before anything is sent.
  await page.getByLabel(/^Callback URLs/).fill('not a url');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Callback URLs' })).toBeVisible();
  await expect(page.getByLabel(/^Callback URLs/)).toBeFocused();
  await expect(page.getByLabel(/^Callback URLs/)).toHaveAttribute('aria-invalid', 'true');

  // A key made in the page, shown once.
  await page.getByRole('button', { name: 'Create API key' }).click();
  const created = page.getByTestId('new-api-key');
  await expect(created).toBeVisible();
  const oldKey = (await created.innerText()).trim();
  expect(oldKey).toMatch(/^hf_/);
  const oldKeyId = oldKey.split('_')[1] ?? '';
  await expectKeyOnEveryGateway(oldKey, 200);

  // Rotate with a 15-second overlap: room for a loaded two-core machine between the checks (the exact
  // boundary, 3 s on two gateways, is the gateway suite's [ADMIN_API_KEY_ROTATE]).
  const oldRow = page.locator(`[data-testid="api-key"][data-key-id="${oldKeyId}"]`);
  await oldRow.getByRole('button', { name: `Rotate key ${oldKeyId}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Rotate this API key?' });
  await dialog.getByLabel('Overlap', { exact: true }).fill('15');
  await dialog.getByLabel('Overlap unit').selectOption({ label: 'seconds' });
  await captureAdminPage(page, testInfo, 'applications-rotate');
  // The gateway sets the old key's end between these two moments.
  const clickedAt = Date.now();
  await dialog.getByRole('button', { name: 'Rotate key' }).click();
  await expect(page.getByRole('status').filter({ hasText: `API key ${oldKeyId} rotated` })).toBeVisible();
  const answeredAt = Date.now();
  const newKey = (await page.getByTestId('new-api-key').innerText()).trim();
  expect(newKey).toMatch(/^hf_/);
  expect(newKey).not.toBe(oldKey);
  await expect(oldRow).toContainText('Expiring');
  await expect(oldRow).toContainText('works until');

  // During the overlap both work, on both gateways; after it only the new one.
  await expectKeyOnEveryGateway(newKey, 200);
  await expectKeyOnEveryGateway(oldKey, 200);
  expect(Date.now() - clickedAt, 'the overlap checks ran inside the overlap').toBeLessThan(15_000);
  await page.waitForTimeout(Math.max(0, answeredAt + 18_000 - Date.now()));
  await expectKeyOnEveryGateway(oldKey, 401);
  await expectKeyOnEveryGateway(newKey, 200);
  await page.reload();
  await expect(oldRow).toContainText('Revoked');
  await captureAdminPage(page, testInfo, 'application-detail');
  await expectAccessible(page, testInfo, 'admin application detail after rotation');

  // Revoke asks first.
  const newKeyId = newKey.split('_')[1] ?? '';
  await page
    .locator(`[data-testid="api-key"][data-key-id="${newKeyId}"]`)
    .getByRole('button', { name: `Revoke key ${newKeyId}` })
    .click();
  await page.getByRole('dialog', { name: 'Revoke this API key?' }).getByRole('button', { name: 'Yes, revoke it' }).click();
  await expect(page.getByRole('status').filter({ hasText: `API key ${newKeyId} revoked` })).toBeVisible();
  await expectKeyOnEveryGateway(newKey, 401);
});
