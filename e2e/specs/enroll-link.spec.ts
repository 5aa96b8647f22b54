import { createDatabase, hashToken } from '@holdfast/db';
import { expect, test } from '@playwright/test';
import { expectAccessible } from '../src/axe';
import { capturePage, continueFromLink, newUserId, relyingApp } from '../src/portal';
import { readState } from '../src/state';

async function linkRow(token: string) {
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  try {
    return await db.prisma.enrollmentLink.findUniqueOrThrow({ where: { tokenHash: hashToken(token) }, select: { redeemedAt: true, endedAt: true } });
  } finally {
    await db.close();
  }
}

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
  await capturePage(page, testInfo, 'link-continue');
  await expectAccessible(page, testInfo, 'link-continue');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/enroll$/);
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
    await expect(otherPage.getByRole('button', { name: 'Continue' })).toHaveCount(0);
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

test('[LINK_SCANNER_GET] fetching a link (mail scanner, preview) redeems nothing: the link still works after', async ({ page, playwright }) => {
  const link = await relyingApp().createEnrollmentLink({ userId: newUserId('scanner') });
  // A scanner: plain HTTP, no cookies kept, following redirects, several times, GET and HEAD.
  const scanner = await playwright.request.newContext();
  try {
    for (let i = 0; i < 3; i += 1) {
      const response = await scanner.get(link.url);
      expect(response.status()).toBe(200);
      expect(await response.text()).toContain('Continue');
      expect(response.headers()['set-cookie']).toBeUndefined();
    }
    expect((await scanner.head(link.url)).status()).toBeLessThan(500);
  } finally {
    await scanner.dispose();
  }
  expect(await linkRow(link.token)).toEqual({ redeemedAt: null, endedAt: null });

  // The person then opens it and gets in.
  await continueFromLink(page, link.url);
  expect((await linkRow(link.token)).redeemedAt).not.toBeNull();
});

test('[LINK_SUPERSEDED] a newer link ends the older one and its session; signing out ends a session', async ({ page, browser }, testInfo) => {
  const userId = newUserId('superseded');
  const older = await relyingApp().createEnrollmentLink({ userId });
  const unopened = await relyingApp().createEnrollmentLink({ userId });
  const other = await browser.newContext();
  try {
    // The link before the newest one no longer opens, and the page says which one to use.
    const otherPage = await other.newPage();
    await otherPage.goto(older.url);
    await expect(otherPage.getByRole('heading', { level: 1 })).toHaveText('A newer enrollment link was sent');
    await capturePage(otherPage, testInfo, 'link-superseded');
  } finally {
    await other.close();
  }

  await continueFromLink(page, unopened.url);
  // The application sends yet another link: the open session ends with it.
  const newest = await relyingApp().createEnrollmentLink({ userId });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your enrollment session has ended');

  // The newest works; signing out ends that session too, and its link with it.
  await continueFromLink(page, newest.url);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You have signed out');
  await capturePage(page, testInfo, 'signed-out');
  await page.goto(`${readState().webUrl}/enroll`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Open your enrollment link');
  expect((await linkRow(newest.token)).endedAt).not.toBeNull();
});
