// The console's Users and Applications pages in the browser tests: admins signed in as an operator
// does (passkey in Chromium's virtual authenticator, or TOTP), the same admin signed in again over
// the gateway's own admin API (to send a "forged" request no page would), a relying-app user with
// a TOTP factor made through the SDK, and screenshots named by width.
import { generateTotpCode, timeStepAt } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAdminWithCli, enterPassword, type AdminAccount } from './admin';
import { freshTotpCode, newUserId } from './portal';
import { readState } from './state';
import { addVirtualAuthenticator } from './webauthn';

const totpParams = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const screensDir = fileURLToPath(new URL('../../docs/screens/admin/', import.meta.url));

/** A new admin of `role` signed in in `page` with a passkey enrolled at first sign-in. */
export async function signInWithPasskey(page: Page, options: { name: string; role: 'owner' | 'admin' | 'helpdesk' | 'auditor' }): Promise<AdminAccount> {
  const account = await createAdminWithCli(options);
  await addVirtualAuthenticator(page);
  await enterPassword(page, account);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up your second factor' })).toBeVisible();
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  return account;
}

export interface TrpcAnswer {
  status: number;
  data: unknown;
  code: string | null;
}

/** A tRPC mutation straight to a gateway, as any HTTP client could send it. */
export async function gatewayMutation(procedure: string, input: unknown, bearer?: string): Promise<TrpcAnswer> {
  const gateway = readState().gatewayUrls[0] ?? '';
  const response = await fetch(`${gateway}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
    body: JSON.stringify(input ?? {}),
  });
  const body = (await response.json().catch(() => null)) as { result?: { data?: unknown }; error?: { data?: { holdfastCode?: string } } } | null;
  return { status: response.status, data: body?.result?.data ?? null, code: body?.error?.data?.holdfastCode ?? null };
}

/** A tRPC query straight to a gateway (GET, input in the query string). */
export async function gatewayQuery(procedure: string, input: unknown, bearer: string): Promise<TrpcAnswer> {
  const gateway = readState().gatewayUrls[0] ?? '';
  const search = new URLSearchParams({ input: JSON.stringify(input) });
  const response = await fetch(`${gateway}/trpc/${procedure}?${search.toString()}`, { headers: { authorization: `Bearer ${bearer}` } });
  const body = (await response.json().catch(() => null)) as { result?: { data?: unknown }; error?: { data?: { holdfastCode?: string } } } | null;
  return { status: response.status, data: body?.result?.data ?? null, code: body?.error?.data?.holdfastCode ?? null };
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it expects of the wire
function dataOf<T>(answer: TrpcAnswer, what: string): T {
  if (answer.status !== 200) throw new Error(`${what}: ${String(answer.status)} ${answer.code ?? ''}`);
  return answer.data as T;
}

/**
 * A new admin of `role` whose first sign-in enrolls TOTP through the gateway's admin API; answers
 * that session's token (as the console would hold it) and a way to sign in again in the browser.
 */
export async function adminWithTotp(options: { name: string; role: 'helpdesk' | 'auditor' | 'admin' }): Promise<{
  account: AdminAccount;
  apiSession: string;
  signInInBrowser: (page: Page) => Promise<void>;
}> {
  const account = await createAdminWithCli(options);
  const started = dataOf<{ pendingToken: string }>(await gatewayMutation('admin.auth.signIn', { email: account.email, password: account.password }), 'sign-in');
  const begun = dataOf<{ secretBase32: string }>(await gatewayMutation('admin.auth.enrollTotpBegin', { pendingToken: started.pendingToken }), 'enroll');
  const first = await freshTotpCode({ secret: begun.secretBase32, afterStep: 0 });
  const signedIn = dataOf<{ sessionToken: string }>(
    await gatewayMutation('admin.auth.enrollTotpConfirm', { pendingToken: started.pendingToken, code: first.code }),
    'enroll confirm',
  );
  return {
    account,
    apiSession: signedIn.sessionToken,
    signInInBrowser: async (page) => {
      await enterPassword(page, account);
      await expect(page.getByRole('heading', { level: 1, name: "Confirm it's you" })).toBeVisible();
      const next = await freshTotpCode({ secret: begun.secretBase32, afterStep: first.step });
      await page.getByLabel('6-digit code from your authenticator app').fill(next.code);
      await page.getByRole('button', { name: 'Verify code' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    },
  };
}

/** Makes every signed-in session of this admin older than the 5-minute step-up (as if it had been open a while). */
export async function staleStepUp(account: AdminAccount): Promise<void> {
  const db = createDatabase({ url: readState().databaseUrl, poolMax: 1 });
  try {
    await db.pool.query(
      `UPDATE admin_sessions s SET created_at = s.created_at - interval '6 minutes', mfa_at = s.mfa_at - interval '6 minutes', step_up_at = NULL
         FROM admin_accounts a WHERE s.admin_id = a.id AND a.email = $1 AND s.mfa_at IS NOT NULL AND s.revoked_at IS NULL`,
      [account.email],
    );
  } finally {
    await db.close();
  }
}

/** The shared e2e application's client (its API key), with room for a loaded machine. */
export function relyingClient(apiKey = readState().apiKey) {
  return createHoldfastClient({ gateways: readState().gatewayUrls, apiKey, probeIntervalMs: 0, deadlineMs: 20_000 });
}

/** A user of the e2e relying application with one TOTP factor, enrolled through the SDK. */
export async function userWithTotp(prefix: string): Promise<{ userId: string; secret: string; confirmedStep: number }> {
  const userId = newUserId(prefix);
  const link = await relyingClient().createEnrollmentLink({ userId });
  const enrollment = createEnrollmentClient({ gateways: readState().gatewayUrls, deadlineMs: 20_000 });
  await enrollment.redeem(link.token);
  const begun = await enrollment.beginTotp({ label: 'phone' });
  const now = new Date();
  await enrollment.confirmTotp({ factorId: begun.factorId, code: await generateTotpCode({ secret: begun.secret, params: totpParams, at: now }) });
  return { userId, secret: begun.secret, confirmedStep: timeStepAt({ at: now, period: 30 }) };
}

/** Codes that are wrong at every step the gateway could accept now. */
export async function wrongCodes(secret: string, count: number): Promise<string[]> {
  const current = timeStepAt({ at: new Date(), period: 30 });
  const valid = new Set<string>();
  for (let step = current - 2; step <= current + 2; step += 1)
    valid.add(await generateTotpCode({ secret, params: totpParams, at: new Date(step * 30_000 + 1) }));
  const codes: string[] = [];
  for (let n = 13; codes.length < count; n += 7919) {
    const code = String(n % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) codes.push(code);
  }
  return codes;
}

/** A REST call of the relying-app API with `apiKey` on one gateway: the status (200 works, 401 refused). */
export async function restStatus(options: { gateway: string; apiKey: string; path: string; body: unknown }): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${options.gateway}${options.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.apiKey}` },
    body: JSON.stringify(options.body),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** Full-page screenshots at 1280×800 and 375×812 into docs/screens/admin/<name>-<width>.png; also checks nothing scrolls sideways. */
export async function captureConsolePage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  const original = page.viewportSize();
  for (const size of [
    { width: 1280, height: 800 },
    { width: 375, height: 812 },
  ]) {
    await page.setViewportSize(size);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} scrolls sideways at ${String(size.width)} px`).toBeLessThanOrEqual(0);
    const file = `${screensDir}${name}-${String(size.width)}.png`;
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name} (${String(size.width)})`, { path: file, contentType: 'image/png' });
  }
  if (original !== null) await page.setViewportSize(original);
}
