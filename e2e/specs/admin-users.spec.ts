import { expect, test, type Page } from '@playwright/test';
import {
  adminWithTotp,
  captureAdminPage,
  gatewayMutation,
  gatewayQuery,
  relyingClient,
  restStatus,
  signInNewAdmin,
  staleStepUp,
  userWithTotp,
  wrongCodes,
} from '../src/admin';
import { expectAccessible } from '../src/axe';
import { freshTotpCode } from '../src/portal';
import { readState } from '../src/state';

// Admin sign-ins run scrypt (128 MiB) on the gateway, and some steps wait for a fresh TOTP step.
test.describe.configure({ timeout: 180_000 });

/** Opens a user's detail the way an operator finds it: application, id prefix, then the user. */
async function openUser(page: Page, userId: string): Promise<void> {
  await page.goto(`${readState().adminUrl}/users`);
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  const appField = page.getByLabel(/^Application/);
  if ((await appField.evaluate((element) => element.tagName)) === 'SELECT') await appField.selectOption(readState().applicationId);
  else await appField.fill(readState().applicationId);
  await page.getByLabel(/^User id starts with/).fill(userId.slice(0, -2));
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('user-results').getByRole('link', { name: userId }).click();
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`User ${userId}`) })).toBeVisible();
}

test('[ADMIN_UNLOCK] a user locked through the relying-app API is unlocked from the page and then verifies', async ({ page }, testInfo) => {
  const user = await userWithTotp('unlock');
  const app = relyingClient();
  for (const [index, code] of (await wrongCodes(user.secret, 10)).entries()) {
    expect(await app.verifyTotp({ userId: user.userId, code, attemptId: `e2e-lock-${String(index)}` })).toMatchObject({ outcome: 'rejected' });
  }
  const whileLocked = await freshTotpCode({ secret: user.secret, afterStep: user.confirmedStep });
  expect(await app.verifyTotp({ userId: user.userId, code: whileLocked.code, attemptId: 'e2e-while-locked' })).toMatchObject({
    outcome: 'rejected',
    reason: 'locked',
  });

  await signInNewAdmin(page, { name: 'Una Unlocker', role: 'admin', factor: 'passkey' });
  await openUser(page, user.userId);
  const factor = page.getByTestId('factor');
  await expect(factor).toContainText('Locked until');
  await expect(page.getByRole('list', { name: 'Recent attempts, newest first' }).getByRole('listitem').first()).toContainText('Rejected');
  await captureAdminPage(page, testInfo, 'users');
  await expectAccessible(page, testInfo, 'admin users (locked user)');

  await page.getByRole('button', { name: 'Unlock account and factors' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Unlocked/ })).toBeVisible();
  await expect(factor).not.toContainText('Locked until');
  await expect(page.getByRole('button', { name: 'Unlock account and factors' })).toHaveCount(0);

  // The code of a step not used yet now verifies.
  const next = await freshTotpCode({ secret: user.secret, afterStep: whileLocked.step });
  expect(await app.verifyTotp({ userId: user.userId, code: next.code, attemptId: 'e2e-after-unlock' })).toMatchObject({ outcome: 'accepted' });
});

test('[ADMIN_BYPASS] a bypass code issued in the page verifies once through the API', async ({ page }, testInfo) => {
  const user = await userWithTotp('bypass');
  await signInNewAdmin(page, { name: 'Bea Bypass', role: 'admin', factor: 'passkey' });
  await openUser(page, user.userId);
  await expect(page.getByTestId('bypass-state')).toHaveText('None live');

  await page.getByLabel('Bypass valid for').selectOption({ label: '15 minutes' });
  await page.getByRole('button', { name: 'Issue bypass code' }).click();
  await expect(page.getByRole('dialog', { name: 'Issue a bypass code?' })).toBeVisible();
  await page.getByRole('button', { name: 'Yes, issue the code' }).click();
  const shown = page.getByTestId('bypass-code');
  await expect(shown).toBeVisible();
  // Focus goes to what just appeared, so a screen reader reads it next.
  await expect(page.getByRole('heading', { level: 3, name: 'Bypass code' })).toBeFocused();
  const code = (await shown.innerText()).trim();
  expect(code.length).toBeGreaterThanOrEqual(10);
  await expect(page.getByTestId('bypass-state')).toContainText('A code is live until');
  await expectAccessible(page, testInfo, 'admin users (bypass shown once)');
  // Shown once: not in the URL, and gone after a reload.
  expect(page.url()).not.toContain(code);
  await page.reload();
  await expect(page.getByTestId('bypass-code')).toHaveCount(0);
  await expect(page.getByText(code)).toHaveCount(0);

  const [first, second] = readState().gatewayUrls;
  const apiKey = readState().apiKey;
  const once = await restStatus({
    gateway: first ?? '',
    apiKey,
    path: '/v1/verify/bypass-code',
    body: { userId: user.userId, code, attemptId: 'e2e-bypass-1' },
  });
  expect(once).toMatchObject({ status: 200, body: { outcome: 'accepted' } });
  const twice = await restStatus({
    gateway: second ?? '',
    apiKey,
    path: '/v1/verify/bypass-code',
    body: { userId: user.userId, code, attemptId: 'e2e-bypass-2' },
  });
  expect(twice.status === 200 ? (twice.body as { outcome?: string }).outcome : 'refused').not.toBe('accepted');
  await page.reload();
  await expect(page.getByTestId('bypass-state')).toHaveText('None live');
});

test('[ADMIN_STEP_UP] a sensitive action asks for a fresh factor, then succeeds', async ({ page }, testInfo) => {
  const user = await userWithTotp('stepup');
  const admin = await signInNewAdmin(page, { name: 'Sam Stepup', role: 'owner', factor: 'passkey' });
  await openUser(page, user.userId);
  // The session's factor is older than 5 minutes now: the gateway wants a fresh one.
  await staleStepUp(admin);

  await page.getByRole('button', { name: 'Revoke Authenticator app' }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke this factor?' });
  await expect(confirm.getByRole('button', { name: 'Yes, revoke it' })).toBeFocused();
  await confirm.getByRole('button', { name: 'Yes, revoke it' }).click();
  const stepUp = page.getByRole('dialog', { name: "Confirm it's you" });
  await expect(stepUp).toBeVisible();
  await expect(stepUp).toContainText('revoke Authenticator app');
  await expect(page.getByTestId('factor')).toContainText('Active');
  await expectAccessible(page, testInfo, 'admin users (step-up)');
  await stepUp.getByRole('button', { name: 'Use your passkey' }).click();
  await expect(stepUp).toBeHidden();
  // The action was sent again after the step-up, without a second click.
  await expect(page.getByRole('status').filter({ hasText: 'Revoked Authenticator app' })).toBeVisible();
  await expect(page.getByTestId('factor')).toContainText('Revoked');
  const code = await freshTotpCode({ secret: user.secret, afterStep: user.confirmedStep });
  // Revoked at the gateway, not just redrawn: the relying app's check finds no TOTP factor any more.
  await expect(relyingClient().verifyTotp({ userId: user.userId, code: code.code, attemptId: 'e2e-after-revoke' })).rejects.toMatchObject({
    code: 'FACTOR_NOT_FOUND',
  });
});

test('[ADMIN_ROLES] helpdesk sees no revoke, bypass or key controls and is refused by the API; an auditor sees no change controls', async ({
  browser,
}, testInfo) => {
  const user = await userWithTotp('roles');
  // — Helpdesk —
  const helpdesk = await adminWithTotp({ name: 'Hal Helpdesk', role: 'helpdesk' });
  // Helpdesk may read the user (users.read): the factor's id for the forged revoke below.
  const read = await gatewayQuery('admin.users.get', { applicationId: readState().applicationId, userId: user.userId }, helpdesk.apiSession);
  const factorId = (read.data as { user: { factors: { id: string }[] } | null }).user?.factors[0]?.id ?? '';
  expect(factorId).not.toBe('');
  const helpdeskPage = await (await browser.newContext()).newPage();
  await helpdesk.signInInBrowser(helpdeskPage);
  await expect(helpdeskPage.getByTestId('admin-role')).toHaveText('Helpdesk');
  await openUser(helpdeskPage, user.userId);
  await expect(helpdeskPage.getByRole('button', { name: 'Make an enrollment link' })).toBeVisible();
  await expect(helpdeskPage.getByRole('button', { name: /^Revoke/ })).toHaveCount(0);
  await expect(helpdeskPage.getByRole('button', { name: 'Issue bypass code' })).toHaveCount(0);
  await expectAccessible(helpdeskPage, testInfo, 'admin users (helpdesk)');
  // An enrollment link is theirs to make, after a fresh factor (users.send_enrollment_link is a
  // step-up action: a link lets whoever holds it enroll a factor for this user); shown once, with a copy button.
  await staleStepUp(helpdesk.account);
  await helpdeskPage.getByRole('button', { name: 'Make an enrollment link' }).click();
  const stepUp = helpdeskPage.getByRole('dialog', { name: "Confirm it's you" });
  await expect(stepUp).toContainText('send an enrollment link');
  await expect(helpdeskPage.getByTestId('enrollment-url')).toHaveCount(0);
  await stepUp.getByLabel('6-digit code from your authenticator app').fill(await helpdesk.nextCode());
  await stepUp.getByRole('button', { name: 'Confirm with code' }).click();
  await expect(stepUp).toBeHidden();
  // Sent again after the step-up, without a second click.
  await expect(helpdeskPage.getByTestId('enrollment-url')).toHaveText(/^http/);
  await expect(helpdeskPage.getByRole('button', { name: 'Copy' })).toBeVisible();
  await helpdeskPage.goto(`${readState().adminUrl}/applications`);
  await expect(helpdeskPage.getByRole('heading', { level: 2, name: 'Not part of your role' })).toBeVisible();
  await expect(helpdeskPage.getByRole('button', { name: /Create/ })).toHaveCount(0);

  // Hidden is not the protection: the same admin's session sent straight to the gateway is refused.
  const ref = { applicationId: readState().applicationId, userId: user.userId };
  for (const [procedure, input] of [
    ['admin.users.revokeFactor', { ...ref, factorId }],
    ['admin.bypass.issue', ref],
    ['admin.applications.createApiKey', { applicationId: readState().applicationId }],
  ] as const) {
    const answer = await gatewayMutation(procedure, input, helpdesk.apiSession);
    expect([procedure, answer.status, answer.code]).toEqual([procedure, 403, 'ADMIN_FORBIDDEN']);
  }

  // — Auditor —
  const auditor = await adminWithTotp({ name: 'Aud Itor', role: 'auditor' });
  const auditorPage = await (await browser.newContext()).newPage();
  await auditor.signInInBrowser(auditorPage);
  await auditorPage.goto(`${readState().adminUrl}/users`);
  await expect(auditorPage.getByRole('heading', { level: 2, name: 'Not part of your role' })).toBeVisible();
  await auditorPage.goto(`${readState().adminUrl}/applications/${readState().applicationId}`);
  await expect(auditorPage.getByRole('heading', { level: 2, name: 'API keys' })).toBeVisible();
  await expect(auditorPage.getByRole('button')).toHaveText(['Sign out', 'Reload log']);
  await expect(auditorPage.getByRole('textbox')).toHaveCount(0);
  await expectAccessible(auditorPage, testInfo, 'admin application (auditor)');
  for (const [procedure, input] of [
    ['admin.users.unlock', ref],
    ['admin.applications.update', { applicationId: readState().applicationId, name: 'renamed by an auditor' }],
    ['admin.applications.createApiKey', { applicationId: readState().applicationId }],
  ] as const) {
    const answer = await gatewayMutation(procedure, input, auditor.apiSession);
    expect([procedure, answer.status, answer.code]).toEqual([procedure, 403, 'ADMIN_FORBIDDEN']);
  }
  // Still there, untouched.
  expect(await relyingClient().createEnrollmentLink({ userId: user.userId })).toMatchObject({ url: expect.stringMatching(/^http/) });
});
