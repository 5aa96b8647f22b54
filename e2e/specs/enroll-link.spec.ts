import { createDatabase, hashToken } from '@holdfast/db';
import { expect, test } from '@playwright/test';
import { capturePage, newUserId, relyingApp } from '../src/portal';
import { readState } from '../src/state';

test('[ENROLL_LINK] an expired link shows a clear message', async ({ page }, testInfo) => {
  const link = await relyingApp().createEnrollmentLink({ userId: newUserId('expired') });
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  try {
    await db.prisma.enrollmentLink.update({ where: { tokenHash: hashToken(link.token) }, data: { expiresAt: new Date(Date.now() - 60_000) } });
  } finally {
    await db.close();
  }

  const response = await page.goto(link.url);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This enrollment link has expired');
  await expect(page.getByText('Ask the app or website that sent it to you for a new one.')).toBeVisible();
  await capturePage(page, testInfo, 'link-expired');
});

test('[ENROLL_LINK] a reused link shows a clear message, and an unknown one too', async ({ page, browser }, testInfo) => {
  const link = await relyingApp().createEnrollmentLink({ userId: newUserId('reused') });
  await page.goto(link.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' })).toBeVisible();
  // Reloading the portal does not redeem again: the link left the address bar.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Set up two-step sign-in' })).toBeVisible();

  // Someone else (a fresh browser, no session cookie) opens the same link.
  const other = await browser.newContext();
  try {
    const otherPage = await other.newPage();
    const response = await otherPage.goto(link.url);
    expect(response?.status()).toBe(200);
    await expect(otherPage.getByRole('heading', { level: 1 })).toHaveText('This enrollment link has already been used');
    await capturePage(otherPage, testInfo, 'link-used');

    await otherPage.goto(`${readState().webUrl}/enroll/not-a-real-link-token-at-all-0123456789`);
    await expect(otherPage.getByRole('heading', { level: 1 })).toHaveText('This enrollment link is not valid');
    await capturePage(otherPage, testInfo, 'link-invalid');

    // Without a session, the portal itself says what to do.
    await otherPage.goto(`${readState().webUrl}/enroll`);
    await expect(otherPage.getByRole('heading', { level: 1 })).toHaveText('Open your enrollment link');
    await capturePage(otherPage, testInfo, 'portal-no-session');
  } finally {
    await other.close();
  }
});
