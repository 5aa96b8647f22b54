import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { captureAdminPage, createAdminWithCli, enterPassword } from '../src/admin';
import { expectAccessible } from '../src/axe';
import { freshTotpCode } from '../src/portal';
import { readState } from '../src/state';
import { addVirtualAuthenticator } from '../src/webauthn';

// Each test signs in more than once (scrypt at 128 MiB on the gateway) and waits for a fresh TOTP step.
test.describe.configure({ timeout: 180_000 });

const consoleSections = ['Audit', 'Users', 'Applications', 'Drills'] as const;

async function expectConsole(page: Page, admin: { name: string; role: string }): Promise<void> {
  await expect(page).toHaveURL(`${readState().adminUrl}/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('admin-name')).toHaveText(admin.name);
  await expect(page.getByTestId('admin-role')).toHaveText(admin.role);
  await expect(page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
}

/** Without a signed-in session, every console page leads to the sign-in page. */
async function expectConsoleClosed(page: Page): Promise<void> {
  for (const path of ['/', '/users', '/overview/snapshot']) {
    const response = await page.request.get(`${readState().adminUrl}${path}`, { maxRedirects: 0 });
    if (path === '/overview/snapshot') expect(response.status()).toBe(401);
    else expect(response.headers().location ?? '').toMatch(/\/sign-in$/);
  }
}

async function signOut(page: Page, testInfo: TestInfo, capture: boolean): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in\?reason=signed-out$/);
  await expect(page.getByRole('status').filter({ hasText: 'You are signed out.' })).toBeVisible();
  if (capture) {
    await captureAdminPage(page, testInfo, 'signed-out');
    await expectAccessible(page, testInfo, 'admin signed out');
  }
}

test('[ADMIN_FIRST_OWNER] an owner made with `holdfast admin create` enrolls a passkey at first sign-in and lands on the console', async ({
  page,
}, testInfo) => {
  const owner = await createAdminWithCli({ name: 'Olga Owner', role: 'owner' });
  await addVirtualAuthenticator(page);

  await page.goto(readState().adminUrl);
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in to the Holdfast console' })).toBeVisible();
  // The console's own strict CSP: a nonce per response, no inline script without it.
  const response = await page.request.get(`${readState().adminUrl}/sign-in`);
  expect(response.headers()['content-security-policy']).toMatch(/script-src 'nonce-[^']+' 'strict-dynamic'/);
  expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await captureAdminPage(page, testInfo, 'sign-in');
  await expectAccessible(page, testInfo, 'admin sign-in');

  await enterPassword(page, owner);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up your second factor' })).toBeFocused();
  // The pending sign-in is in an httpOnly cookie; the browser's scripts cannot read it, and it opens nothing.
  const cookies = await page.context().cookies();
  const adminCookie = cookies.find((cookie) => cookie.name === 'holdfast_admin');
  expect(adminCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  expect(adminCookie?.value).not.toContain('hfp_');
  await expectConsoleClosed(page);
  await captureAdminPage(page, testInfo, 'enroll-choice');
  await expectAccessible(page, testInfo, 'admin enroll choice');

  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expectConsole(page, { name: 'Olga Owner', role: 'Owner' });
  expect((await page.context().cookies()).find((cookie) => cookie.name === 'holdfast_admin')?.value).not.toContain('hfa_');
  // The live map: the gateways' SSE reaches the page through the console's own route (CSP connect-src 'self').
  await expect(page.getByRole('heading', { level: 2, name: 'Live failover map' })).toBeVisible();
  await expect(page.getByTestId('overview-connection')).toHaveText(/^Live/);
  await captureAdminPage(page, testInfo, 'overview');
  await expectAccessible(page, testInfo, 'admin overview');

  // Every section opens for an owner; their screenshots (with content) come from the section's own spec.
  for (const section of consoleSections) {
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: section }).click();
    await expect(page.getByRole('heading', { level: 1, name: section })).toBeVisible();
    await expectAccessible(page, testInfo, `admin ${section}`);
  }

  await signOut(page, testInfo, true);
  await expectConsoleClosed(page);

  // The next sign-in asks for the passkey, verified by the gateways.
  await enterPassword(page, owner);
  await expect(page.getByRole('heading', { level: 1, name: "Confirm it's you" })).toBeVisible();
  await expect(page.getByLabel('6-digit code from your authenticator app')).toHaveCount(0);
  await captureAdminPage(page, testInfo, 'passkey-sign-in');
  await expectAccessible(page, testInfo, 'admin passkey sign-in');
  await page.getByRole('button', { name: 'Use your passkey' }).click();
  await expectConsole(page, { name: 'Olga Owner', role: 'Owner' });
});

test('[ADMIN_LOGIN_MFA] a password alone does not reach the console; a TOTP code verified through the gateway does', async ({ page }, testInfo) => {
  const admin = await createAdminWithCli({ name: 'Ada Admin', role: 'admin' });

  // One message for a wrong password and for an unknown account.
  await enterPassword(page, { email: admin.email, password: 'not-the-right-password' });
  const failed = page.getByRole('alert').filter({ hasText: 'The email or password is not right.' });
  await expect(failed).toBeVisible();
  await captureAdminPage(page, testInfo, 'sign-in-failed');
  await expectAccessible(page, testInfo, 'admin sign-in failed');
  await enterPassword(page, { email: 'nobody-here@example.com', password: 'not-the-right-password' });
  await expect(failed).toBeVisible();

  // First sign-in: the password is right, and still no console until a factor is enrolled.
  await enterPassword(page, admin);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up your second factor' })).toBeVisible();
  await expectConsoleClosed(page);
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await captureAdminPage(page, testInfo, 'enroll-totp');
  await expectAccessible(page, testInfo, 'admin enroll TOTP');
  const enrolled = await freshTotpCode({ secret, afterStep: 0 });
  await page.getByLabel('6-digit code').fill(enrolled.code);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await expectConsole(page, { name: 'Ada Admin', role: 'Admin' });
  await signOut(page, testInfo, false);

  // Second sign-in: the password leads to the code, not to the console.
  await enterPassword(page, admin);
  await expect(page.getByRole('heading', { level: 1, name: "Confirm it's you" })).toBeFocused();
  await expect(page.getByRole('button', { name: 'Use your passkey' })).toHaveCount(0);
  await expectConsoleClosed(page);
  await captureAdminPage(page, testInfo, 'totp-sign-in');
  await expectAccessible(page, testInfo, 'admin TOTP sign-in');

  // A wrong code is refused by the gateway and said in words; the field is marked invalid.
  const wrong = enrolled.code === '000000' ? '111111' : '000000';
  await page.getByLabel('6-digit code from your authenticator app').fill(wrong);
  await page.getByRole('button', { name: 'Verify code' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'That was not accepted.' })).toBeVisible();
  await expect(page.getByLabel('6-digit code from your authenticator app')).toHaveAttribute('aria-invalid', 'true');
  await expectConsoleClosed(page);
  await captureAdminPage(page, testInfo, 'totp-sign-in-refused');

  // The enrollment's code is single use: the next step's code signs in.
  const next = await freshTotpCode({ secret, afterStep: enrolled.step });
  await page.getByLabel('6-digit code from your authenticator app').fill(next.code);
  await page.getByRole('button', { name: 'Verify code' }).click();
  await expectConsole(page, { name: 'Ada Admin', role: 'Admin' });
});
