// Real processes for the browser tests: gateways (node + tsx, as in production) and the built web
// app (`next start`). Each is started on a free 127.0.0.1 port and stopped by its own PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const gatewayDir = `${repoRoot}apps/gateway`;
const webDir = `${repoRoot}apps/web`;
const nextBin = `${repoRoot}node_modules/next/dist/bin/next`;

export interface RunningProcess {
  name: string;
  url: string;
  pid: number;
  output: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop: () => Promise<void>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => { resolve(false); }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function startProcess(options: { name: string; args: string[]; cwd: string; env: Record<string, string>; url: string; readyPath: string }): Promise<RunningProcess> {
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NEXT_TELEMETRY_DISABLED: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited early:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} did not answer ${options.readyPath} within 60 s:\n${output}`);
    }
    if (await fetch(`${options.url}${options.readyPath}`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return { name: options.name, url: options.url, pid: child.pid ?? -1, output: () => output, stop };
}

export function startGateway(options: { databaseUrl: string; port: number; gatewayId: string; encryptionKey: string; publicUrl: string }): Promise<RunningProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  return startProcess({
    name: `gateway ${options.gatewayId}`,
    args: ['--import', 'tsx', 'src/main.ts'],
    cwd: gatewayDir,
    env: {
      DATABASE_URL: options.databaseUrl,
      HOLDFAST_HOST: '127.0.0.1',
      HOLDFAST_PORT: String(options.port),
      HOLDFAST_GATEWAY_ID: options.gatewayId,
      HOLDFAST_ENCRYPTION_KEYS: `k1:${options.encryptionKey}`,
      HOLDFAST_ACTIVE_KEY_ID: 'k1',
      HOLDFAST_PUBLIC_URL: options.publicUrl,
      HOLDFAST_CANARY_INTERVAL_MS: '1000',
    },
    url,
    readyPath: '/healthz',
  });
}

/**
 * `next build` when there is no build yet. Under `npm test` turbo has already built the web app
 * (the e2e test task depends on it); this covers running `playwright test` on its own.
 */
export async function ensureWebBuild(): Promise<void> {
  if (existsSync(`${webDir}/.next/BUILD_ID`)) return;
  const child = spawn(process.execPath, [nextBin, 'build'], { cwd: webDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`next build failed (exit ${String(code)})`);
}

export function startWeb(options: { port: number; gatewayUrls: readonly string[] }): Promise<RunningProcess> {
  return startProcess({
    name: 'web',
    args: [nextBin, 'start', '-H', '127.0.0.1', '-p', String(options.port)],
    cwd: webDir,
    env: { HOLDFAST_GATEWAY_URLS: options.gatewayUrls.join(','), NODE_ENV: 'production' },
    // The page is opened as localhost (WebAuthn needs it later); the server listens on 127.0.0.1.
    url: `http://localhost:${options.port}`,
    readyPath: '/',
  });
}
