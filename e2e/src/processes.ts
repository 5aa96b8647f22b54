// Real processes for the browser tests: gateways (node + tsx, as in production) and the built web
// app (`next start`). Each is started on a free 127.0.0.1 port and stopped by its own PID.
import { runToExit, startProcess as startChildProcess } from '@holdfast/process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const gatewayDir = `${repoRoot}apps/gateway`;
const webDir = `${repoRoot}apps/web`;
const nextBin = `${repoRoot}node_modules/next/dist/bin/next`;

export interface RunningProcess {
  name: string;
  url: string;
  /** The current process's PID (a new one after `start()`). */
  readonly pid: number;
  output: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop: () => Promise<void>;
  /**
   * After `stop()`: the same command again, same environment and port (so the same URL), resolving
   * once it is ready — the live map's "stop a gateway and start it again" ([ADMIN_LIVE_MAP]).
   * `stop()` then stops the new process, so teardown leaves nothing behind.
   */
  start: () => Promise<void>;
}

async function startProcess(options: {
  name: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  url: string;
  readyPath: string;
}): Promise<RunningProcess> {
  const launch = () =>
    startChildProcess({
      name: options.name,
      args: options.args,
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NEXT_TELEMETRY_DISABLED: '1', ...options.env },
      ready: { url: `${options.url}${options.readyPath}` },
      readyTimeoutMs: 60_000,
    });
  let child = await launch();
  return {
    name: options.name,
    url: options.url,
    get pid() {
      return child.pid;
    },
    output: () => child.output(),
    stop: async () => {
      await child.stop();
    },
    start: async () => {
      if (child.isRunning()) throw new Error(`${options.name} is still running: stop it first`);
      child = await launch();
    },
  };
}

export function startGateway(options: {
  databaseUrl: string;
  port: number;
  gatewayId: string;
  encryptionKey: string;
  publicUrl: string;
  /** Push approval: the PWA's origin, and the local push service the gateway may post to (and trusts). */
  push?: { publicUrl: string; serviceHosts: string; caFile: string };
  /** The admin console's origin: admin passkeys are bound to it (HOLDFAST_ADMIN_ORIGIN). */
  adminOrigin?: string;
  /** The live failover map's sources (HOLDFAST_TOPOLOGY_FILE): without it a gateway's map shows only itself. */
  topologyFile?: string;
}): Promise<RunningProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  return startProcess({
    name: `gateway ${options.gatewayId}`,
    args: ['--enable-source-maps', 'dist/main.js'],
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
      // The browser, the web app and two gateways share the machine: one worker each is plenty here.
      HOLDFAST_GATEWAY_WORKERS: '1',
      ...(options.adminOrigin === undefined ? {} : { HOLDFAST_ADMIN_ORIGIN: options.adminOrigin }),
      ...(options.topologyFile === undefined ? {} : { HOLDFAST_TOPOLOGY_FILE: options.topologyFile }),
      ...(options.push === undefined
        ? {}
        : {
            HOLDFAST_PUSH_PUBLIC_URL: options.push.publicUrl,
            HOLDFAST_PUSH_SERVICE_HOSTS: options.push.serviceHosts,
            HOLDFAST_PUSH_CA_FILE: options.push.caFile,
          }),
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
  const code = await runToExit({ args: [nextBin, 'build'], cwd: webDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
}

export function startWeb(options: { port: number; gatewayUrls: readonly string[] }): Promise<RunningProcess> {
  return startProcess({
    name: 'web',
    args: [nextBin, 'start', '-H', '127.0.0.1', '-p', String(options.port)],
    cwd: webDir,
    env: { HOLDFAST_GATEWAY_URLS: options.gatewayUrls.join(','), HOLDFAST_WEB_PUBLIC_URL: `http://localhost:${options.port}`, NODE_ENV: 'production' },
    // The page is opened as localhost (WebAuthn needs it later); the server listens on 127.0.0.1.
    url: `http://localhost:${options.port}`,
    readyPath: '/',
  });
}

const demoDir = `${repoRoot}apps/demo`;

/**
 * The demo relying application (`apps/demo`), built (esbuild, about a second, so never stale) and
 * run as `node dist/main.js` like `npm start` runs it. It is opened as localhost: a passkey made in
 * the portal is scoped to the RP id `localhost`, and the demo's origin must be an allowed origin.
 */
export async function startDemo(options: {
  port: number;
  gatewayUrls: readonly string[];
  apiKey: string;
  portalUrl: string;
  stateDir: string;
}): Promise<RunningProcess> {
  const code = await runToExit({ args: ['../../tooling/build.mjs', '--runnable', 'src/main.ts', 'src/index.ts'], cwd: demoDir, env: { ...process.env } });
  if (code !== 0) throw new Error(`the demo did not build (exit ${code})`);
  const url = `http://localhost:${options.port}`;
  return startProcess({
    name: 'demo',
    args: ['--enable-source-maps', 'dist/main.js'],
    cwd: demoDir,
    env: {
      HOLDFAST_DEMO_HOST: '127.0.0.1',
      HOLDFAST_DEMO_PORT: String(options.port),
      HOLDFAST_DEMO_PUBLIC_URL: url,
      HOLDFAST_GATEWAY_URLS: options.gatewayUrls.join(','),
      HOLDFAST_PORTAL_URL: options.portalUrl,
      HOLDFAST_API_KEY: options.apiKey,
      HOLDFAST_DEMO_STATE_DIR: options.stateDir,
    },
    url,
    readyPath: '/',
  });
}

const pushDir = `${repoRoot}apps/push`;

/** `next build` of the push PWA when there is none yet (as ensureWebBuild; turbo builds it before e2e). */
export async function ensurePushBuild(): Promise<void> {
  if (existsSync(`${pushDir}/.next/BUILD_ID`)) return;
  const code = await runToExit({ args: [nextBin, 'build'], cwd: pushDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (code !== 0) throw new Error(`next build of the push app failed (exit ${code})`);
}

/** The push-approval PWA (`apps/push`), opened as localhost: a secure origin for its service worker. */
export function startPush(options: { port: number; gatewayUrls: readonly string[] }): Promise<RunningProcess> {
  const url = `http://localhost:${options.port}`;
  return startProcess({
    name: 'push',
    args: [nextBin, 'start', '-H', '127.0.0.1', '-p', String(options.port)],
    cwd: pushDir,
    env: { HOLDFAST_GATEWAY_URLS: options.gatewayUrls.join(','), HOLDFAST_PUSH_PUBLIC_URL: url, NODE_ENV: 'production' },
    url,
    readyPath: '/manifest.webmanifest',
  });
}

const adminDir = `${repoRoot}apps/admin`;

/** `next build` of the admin console when there is none yet (as ensureWebBuild). */
export async function ensureAdminBuild(): Promise<void> {
  if (existsSync(`${adminDir}/.next/BUILD_ID`)) return;
  const code = await runToExit({ args: [nextBin, 'build'], cwd: adminDir, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (code !== 0) throw new Error(`next build of the admin console failed (exit ${code})`);
}

/** The admin console (`apps/admin`), opened as localhost (admin passkeys are bound to its origin). */
export function startAdmin(options: { port: number; gatewayUrls: readonly string[]; sessionSecret: string }): Promise<RunningProcess> {
  const url = `http://localhost:${options.port}`;
  return startProcess({
    name: 'admin',
    args: [nextBin, 'start', '-H', '127.0.0.1', '-p', String(options.port)],
    cwd: adminDir,
    env: {
      HOLDFAST_GATEWAY_URLS: options.gatewayUrls.join(','),
      HOLDFAST_ADMIN_PUBLIC_URL: url,
      HOLDFAST_ADMIN_PORT: String(options.port),
      HOLDFAST_ADMIN_SESSION_SECRET: options.sessionSecret,
      NODE_ENV: 'production',
    },
    url,
    readyPath: '/sign-in',
  });
}
