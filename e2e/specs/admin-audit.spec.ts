import { createHoldfastClient, type HoldfastClient } from '@holdfast/sdk';
import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { captureAdminPage, signInNewAdmin } from '../src/admin';
import { expectAccessible } from '../src/axe';
import { continueFromLink, enrollTotpInPortal, freshTotpCode, newUserId } from '../src/portal';
import { readState } from '../src/state';

/**
 * The relying application with a long deadline: this test is about the console, and on two shared
 * cores a first call to a cold gateway can take longer than the SDK's default 5 s.
 */
function patientRelyingApp(): HoldfastClient {
  const state = readState();
  return createHoldfastClient({ gateways: state.gatewayUrls, apiKey: state.apiKey, probeIntervalMs: 0, deadlineMs: 30_000 });
}

// A sign-in (scrypt on the gateway), a portal enrollment and fresh TOTP steps: allow for them.
test.describe.configure({ timeout: 240_000 });

test('[ADMIN_AUDIT_STREAM] a TOTP verification made through the relying-app API appears in the open Audit page, is found by search and opens', async ({
  page,
  browser,
}, testInfo) => {
  // A user of the relying application with an authenticator app, set up in the portal (another browser context).
  const userId = newUserId('audit-e2e');
  const portalContext = await browser.newContext();
  const portal = await portalContext.newPage();
  await continueFromLink(portal, (await patientRelyingApp().createEnrollmentLink({ userId })).url);
  const { secret, confirmedStep } = await enrollTotpInPortal(portal, testInfo);
  await portalContext.close();

  // An auditor: read-only, and audit.read is all this page needs.
  await signInNewAdmin(page, { name: 'Aude Auditor', role: 'auditor', factor: 'totp' });
  const nav = page.getByRole('navigation', { name: 'Console sections' });
  await nav.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Audit' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('audit-connection')).toHaveText(/^Live/);
  await expect(page.getByTestId('audit-tree-size')).toContainText('events, signed');
  await expect(page.getByTestId('audit-alarm')).toHaveCount(0);

  // The verification, through the API with the application's key — the page stays open, no reload.
  const attemptId = `audit-e2e-${randomUUID()}`;
  const { code } = await freshTotpCode({ secret, afterStep: confirmedStep });
  const result = await patientRelyingApp().verifyTotp({ userId, code, attemptId });
  expect(result).toMatchObject({ outcome: 'accepted' });
  const liveItem = page
    .getByTestId('audit-live-list')
    .getByRole('listitem')
    .filter({ hasText: `attempt ${attemptId}` });
  await expect(liveItem).toBeVisible({ timeout: 15_000 });
  await expect(liveItem).toContainText('verify.accepted');
  await expect(page.getByTestId('audit-connection')).toContainText(/new events? since this page opened/);

  // "Verify now": the gateway recomputes the tree; the outcome is said in words.
  await page.getByRole('button', { name: 'Verify now' }).click();
  await expect(page.getByTestId('audit-verify-result')).toContainText('Verified:', { timeout: 30_000 });

  // The screenshots also check that nothing scrolls sideways at 1280 and 375 px.
  await captureAdminPage(page, testInfo, 'audit');
  await expectAccessible(page, testInfo, 'admin audit');
  await page.setViewportSize({ width: 375, height: 812 });
  await expect(page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name: 'Drills' })).toBeInViewport();
  await page.setViewportSize({ width: 1280, height: 800 });

  // Search: the application and its user, verifications only.
  await page.getByLabel('Application').selectOption({ label: 'E2E relying app' });
  await page.getByLabel('User id').fill(userId);
  await page.getByLabel('Event type').fill('verify.');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/[?&]userId=/);
  const results = page.getByTestId('audit-results');
  const row = results.getByRole('row').filter({ hasText: 'verify.accepted' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(userId);
  await expect(row).toContainText('E2E relying app');

  // Export of this search: a download of NDJSON records with the event in it.
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Holdfast records (NDJSON)' }).click();
  const file = await download;
  const text = await readFile(await file.path(), 'utf8');
  const lines = text
    .trim()
    .split('\n')
    .filter((line) => line !== '');
  expect(lines.some((line) => (JSON.parse(line) as { attemptId?: string }).attemptId === attemptId)).toBe(true);

  // The event's detail: every field, the detail JSON, its leaf and the inclusion proof.
  await row.getByRole('link', { name: /^verify\.accepted at / }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit event' })).toBeVisible();
  await expect(page.getByTestId('audit-event-type')).toHaveText('verify.accepted');
  await expect(page.getByTestId('audit-event-user')).toHaveText(userId);
  await expect(page.getByTestId('audit-event-attempt')).toHaveText(attemptId);
  await expect(page.getByTestId('audit-event-leaf')).toHaveText(/^\d+$/);
  await expect(page.getByRole('heading', { level: 2, name: 'Inclusion proof' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 3, name: 'Signed checkpoint' })).toBeVisible();
  await captureAdminPage(page, testInfo, 'audit-event');
  await expectAccessible(page, testInfo, 'admin audit event');

  // The stream and the export are the console's own routes: nothing without a session.
  const anonymous = await browser.newContext();
  const stream = await anonymous.request.get(`${readState().adminUrl}/audit/stream`);
  expect(await stream.text()).toContain('event: session-ended');
  const exported = await anonymous.request.get(`${readState().adminUrl}/audit/export?format=ndjson`, { maxRedirects: 0 });
  expect(exported.headers().location ?? '').toMatch(/\/sign-in\?reason=expired$/);
  await anonymous.close();
});
