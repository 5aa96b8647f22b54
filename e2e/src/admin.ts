// The admin console in the browser tests — the one set of admin helpers every admin spec uses:
// - accounts made the way an operator makes them (`holdfast admin create`, password on stdin);
// - one sign-in of a new admin in the browser (password, then a passkey or an authenticator app
//   enrolled at first sign-in, verified by the gateways), and one admin signed in over the gateway's
//   own admin API too (to send a "forged" request no page would);
// - one screenshot helper: docs/screens/admin/<page>-1280.png and <page>-375.png (issue 13 asks for
//   1280×800 and 375×812), which also checks nothing scrolls sideways at either width;
// - the relying-app side those specs need (a user with TOTP, wrong codes, REST calls).
import { generateTotpCode, timeStepAt } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshTotpCode, newUserId } from './portal';
import { readState } from './state';
import { addVirtualAuthenticator } from './webauthn';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const screensDir = `${repoRoot}docs/screens/admin`;
const totpParams = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** The password is checked with scrypt (128 MiB) on the gateway: slow on two busy cores. */
const signInTimeoutMs = 30_000;

export type AdminRole = 'owner' | 'admin' | 'helpdesk' | 'auditor';

export interface AdminAccount {
  email: string;
  name: string;
  password: string;
}

/** `holdfast admin create --email … --name … --role …` with the password piped on stdin. */
export async function createAdminWithCli(options: { name: string; role: AdminRole }): Promise<AdminAccount> {
  const email = `${options.role}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const password = `e2e-${Math.random().toString(36).slice(2)}-correct-horse`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'apps/cli/src/bin/holdfast.ts', 'admin', 'create', '--email', email, '--name', options.name, '--role', options.role],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: readState().databaseUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(`${password}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`holdfast admin create failed (exit ${String(code)}): ${output}`);
  // A piped password is never echoed back.
  expect(output).not.toContain(password);
  return { email, name: options.name, password };
}

/** The sign-in page's first step, as an operator fills it in. */
export async function enterPassword(page: Page, account: { email: string; password: string }): Promise<void> {
  await page.goto(`${readState().adminUrl}/sign-in`);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * A new admin of `role`, signed in in `page`: password, then the second factor enrolled at first
 * sign-in — a passkey (Chromium's virtual authenticator) or an authenticator app whose first code
 * the gateways verify.
 */
export async function signInNewAdmin(page: Page, options: { name: string; role: AdminRole; factor: 'passkey' | 'totp' }): Promise<AdminAccount> {
  const account = await createAdminWithCli(options);
  if (options.factor === 'passkey') await addVirtualAuthenticator(page);
  await enterPassword(page, account);
  await expect(page.getByRole('heading', { level: 1, name: 'Set up your second factor' })).toBeVisible({ timeout: signInTimeoutMs });
  if (options.factor === 'passkey') {
    await page.getByRole('button', { name: 'Add a passkey' }).click();
  } else {
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s+/g, '');
    const { code } = await freshTotpCode({ secret, afterStep: 0 });
    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  }
  await expect(page).toHaveURL(`${readState().adminUrl}/`, { timeout: signInTimeoutMs });
  await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
  return account;
}

const screenSizes = [
  { width: 1280, height: 800 },
  { width: 375, height: 812 },
] as const;

/** No sideways scrolling: the document is no wider than the viewport. */
export async function expectNoSidewaysScroll(page: Page, what = 'the page'): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} scrolls sideways`).toBeLessThanOrEqual(0);
}

/**
 * Full-page screenshots at 1280×800 and 375×812 into docs/screens/admin/<name>-<width>.png (and
 * attached to the test); at each width the page must not scroll sideways.
 */
export async function captureAdminPage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  const original = page.viewportSize();
  for (const size of screenSizes) {
    await page.setViewportSize(size);
    await expectNoSidewaysScroll(page, `${name} at ${String(size.width)} px`);
    const file = `${screensDir}/${name}-${String(size.width)}.png`;
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name} (${String(size.width)} px)`, { path: file, contentType: 'image/png' });
  }
  if (original !== null) await page.setViewportSize(original);
}

export interface TrpcAnswer {
  status: number;
  data: unknown;
  code: string | null;
}

async function trpcAnswer(response: Response): Promise<TrpcAnswer> {
  const body = (await response.json().catch(() => null)) as { result?: { data?: unknown }; error?: { data?: { holdfastCode?: string } } } | null;
  return { status: response.status, data: body?.result?.data ?? null, code: body?.error?.data?.holdfastCode ?? null };
}

/** A tRPC mutation straight to a gateway, as any HTTP client could send it. */
export async function gatewayMutation(procedure: string, input: unknown, bearer?: string): Promise<TrpcAnswer> {
  const gateway = readState().gatewayUrls[0] ?? '';
  return trpcAnswer(
    await fetch(`${gateway}/trpc/${procedure}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) },
      body: JSON.stringify(input ?? {}),
    }),
  );
}

/** A tRPC query straight to a gateway (GET, input in the query string). */
export async function gatewayQuery(procedure: string, input: unknown, bearer: string): Promise<TrpcAnswer> {
  const gateway = readState().gatewayUrls[0] ?? '';
  const search = new URLSearchParams({ input: JSON.stringify(input) });
  return trpcAnswer(await fetch(`${gateway}/trpc/${procedure}?${search.toString()}`, { headers: { authorization: `Bearer ${bearer}` } }));
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape it expects of the wire
function dataOf<T>(answer: TrpcAnswer, what: string): T {
  if (answer.status !== 200) throw new Error(`${what}: ${String(answer.status)} ${answer.code ?? ''}`);
  return answer.data as T;
}

/**
 * A new admin of `role` whose first sign-in enrolls TOTP through the gateway's admin API; answers
 * that session's token (as the console would hold it), a way to sign in again in the browser, and
 * the authenticator app's next unused code (for a step-up), each code from a later step than the last.
 */
export async function adminWithTotp(options: { name: string; role: 'helpdesk' | 'auditor' | 'admin' }): Promise<{
  account: AdminAccount;
  apiSession: string;
  signInInBrowser: (page: Page) => Promise<void>;
  nextCode: () => Promise<string>;
}> {
  const account = await createAdminWithCli(options);
  const started = dataOf<{ pendingToken: string }>(await gatewayMutation('admin.auth.signIn', { email: account.email, password: account.password }), 'sign-in');
  const begun = dataOf<{ secretBase32: string }>(await gatewayMutation('admin.auth.enrollTotpBegin', { pendingToken: started.pendingToken }), 'enroll');
  const first = await freshTotpCode({ secret: begun.secretBase32, afterStep: 0 });
  const signedIn = dataOf<{ sessionToken: string }>(
    await gatewayMutation('admin.auth.enrollTotpConfirm', { pendingToken: started.pendingToken, code: first.code }),
    'enroll confirm',
  );
  // A TOTP code is single use per step: every code handed out comes from a later step than the last.
  let lastStep = first.step;
  const nextCode = async (): Promise<string> => {
    const next = await freshTotpCode({ secret: begun.secretBase32, afterStep: lastStep });
    lastStep = next.step;
    return next.code;
  };
  return {
    account,
    apiSession: signedIn.sessionToken,
    nextCode,
    signInInBrowser: async (page) => {
      await enterPassword(page, account);
      await expect(page.getByRole('heading', { level: 1, name: "Confirm it's you" })).toBeVisible({ timeout: signInTimeoutMs });
      await page.getByLabel('6-digit code from your authenticator app').fill(await nextCode());
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
