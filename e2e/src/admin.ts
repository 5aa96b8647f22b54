// The admin console in the browser tests: admin accounts made the way an operator makes them —
// `holdfast admin create` (the CLI, password on stdin) against the e2e database — and screenshots
// of every console page at phone and desktop width, kept in docs/screens/admin/.
import { expect, type Page, type TestInfo } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readState } from './state';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const screensDir = `${repoRoot}docs/screens/admin`;

export interface AdminAccount {
  email: string;
  name: string;
  password: string;
}

/** `holdfast admin create --email … --name … --role …` with the password piped on stdin. */
export async function createAdminWithCli(options: { name: string; role: 'owner' | 'admin' | 'helpdesk' | 'auditor' }): Promise<AdminAccount> {
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

const viewports = [
  { name: 'phone', size: { width: 375, height: 812 } },
  { name: 'desktop', size: { width: 1280, height: 800 } },
] as const;

/** Full-page screenshots at 375×812 and 1280×800 into docs/screens/admin/ (and attached to the test). */
export async function captureAdminPage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  mkdirSync(screensDir, { recursive: true });
  const original = page.viewportSize();
  for (const viewport of viewports) {
    await page.setViewportSize(viewport.size);
    const file = `${screensDir}/${name}-${viewport.name}.png`;
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name} (${viewport.name})`, { path: file, contentType: 'image/png' });
  }
  if (original !== null) await page.setViewportSize(original);
}
