// `holdfast start` (`npm start`): the whole platform with zero setup. Without DATABASE_URL it runs
// an embedded Postgres (data in .holdfast/, git-ignored), creates its least-privilege roles
// (passwords generated and kept there), generates a local encryption key, migrates as the migrator,
// runs the gateway as the gateway role, seeds a demo application, serves the web app (enrollment
// portal) and the demo relying application (apps/demo: password + Holdfast login), and prints the
// demo's URL and ready user first, then the demo API key, a ready-to-paste call and an enrollment link.
// With DATABASE_URL (a real database) nothing is generated: the encryption keys must be set.
import {
  bootstrapDatabaseRoles,
  createApplication,
  createDatabase,
  defaultRoleNames,
  generateRolePassword,
  migrateDatabase,
  roleUrl,
  startEmbeddedPostgres,
  type DatabaseRolePasswords,
} from '@holdfast/db';
import { ProcessStartError, runToExit, StartCancelledError, startProcess, type RunningProcess } from '@holdfast/process';
import { createHoldfastClient } from '@holdfast/sdk';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminProcessEnv, launcherGatewayEnv, pushProcessEnv, readStartEnv, webProcessEnv, type StartEnv } from '../env';
import { createAdminWithPassword, generateAdminPassword } from './admin';

/** The repository: the nearest directory up from this file (source or dist/ bundle) with prisma/schema.prisma. */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'prisma/schema.prisma'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('holdfast start: run it from the Holdfast repository (prisma/schema.prisma not found)');
    dir = parent;
  }
  return dir;
}
const repoRoot = findRepoRoot();

/**
 * Runs the built gateway (`apps/gateway/dist/main.js`: a primary and its workers, as deployed) as
 * a child process and waits until it answers. Built first if this checkout has no build yet.
 */
async function startGateway(options: { env: Record<string, string>; url: string; signal: AbortSignal }): Promise<RunningProcess> {
  const gatewayDir = path.join(repoRoot, 'apps/gateway');
  if (!existsSync(path.join(gatewayDir, 'dist/main.js'))) {
    console.log('building the gateway once (esbuild, a few seconds)…');
    if (
      (await runToExit({
        args: [path.join(repoRoot, 'tooling/build.mjs'), '--runnable', 'src/main.ts', 'src/index.ts'],
        cwd: gatewayDir,
        env: options.env,
        signal: options.signal,
      })) !== 0
    )
      throw new Error('the gateway did not build (see above)');
  }
  return startProcess({
    name: 'the gateway',
    args: ['--enable-source-maps', 'dist/main.js'],
    cwd: gatewayDir,
    env: options.env,
    ready: { url: `${options.url}/healthz` },
    readyTimeoutMs: 60_000,
    signal: options.signal,
    // Its log lines (JSON, one per event) go to the terminal as they did in-process.
    onOutput: (chunk) => {
      process.stderr.write(chunk);
    },
    maxOutputChars: 64 * 1024,
  });
}

/**
 * Runs the demo relying application (`apps/demo/dist/main.js`, built by `npm start`; built here if
 * missing) with only its own settings — the API key, gateway and portal URLs, never encryption keys
 * or database URLs — and waits until it answers. Null (reason printed) if it cannot start: the
 * platform still runs without it.
 */
async function startDemo(options: {
  port: number;
  gatewayUrl: string;
  portalUrl: string;
  apiKey: string;
  stateDir: string;
  user: DemoLogin;
  signal: AbortSignal;
}): Promise<RunningProcess | null> {
  const demoDir = path.join(repoRoot, 'apps/demo');
  const demoEnv = {
    HOLDFAST_DEMO_HOST: '127.0.0.1',
    HOLDFAST_DEMO_PORT: String(options.port),
    HOLDFAST_DEMO_PUBLIC_URL: demoPublicUrl(options.port),
    HOLDFAST_GATEWAY_URLS: options.gatewayUrl,
    HOLDFAST_PORTAL_URL: options.portalUrl,
    HOLDFAST_API_KEY: options.apiKey,
    HOLDFAST_DEMO_STATE_DIR: options.stateDir,
    HOLDFAST_DEMO_SEED_USER: options.user.userName,
    HOLDFAST_DEMO_SEED_PASSWORD: options.user.password,
  };
  if (!existsSync(path.join(demoDir, 'dist/main.js'))) {
    console.log('building the demo app once (esbuild, a second)…');
    const args = [path.join(repoRoot, 'tooling/build.mjs'), '--runnable', 'src/main.ts', 'src/index.ts'];
    if ((await runToExit({ args, cwd: demoDir, env: demoEnv, signal: options.signal })) !== 0) {
      console.error('the demo app did not build (see above); the rest still runs');
      return null;
    }
  }
  const forwarding = { isOn: false };
  try {
    const demo = await startProcess({
      name: 'the demo app',
      args: ['--enable-source-maps', 'dist/main.js'],
      cwd: demoDir,
      env: demoEnv,
      ready: { url: `http://127.0.0.1:${options.port}/` },
      readyTimeoutMs: 30_000,
      signal: options.signal,
      // Quiet while starting (its banner would come before ours); afterwards its errors show, prefixed.
      onOutput: (chunk) => {
        if (forwarding.isOn) process.stderr.write(chunk.replace(/^(?=.)/gm, '[demo] '));
      },
      maxOutputChars: 64 * 1024,
    });
    forwarding.isOn = true;
    return demo;
  } catch (error) {
    if (!(error instanceof ProcessStartError)) throw error;
    const hint = error.output.includes('EADDRINUSE') ? ` (port ${options.port} is in use: set HOLDFAST_DEMO_PORT)` : '';
    console.error(`the demo app did not start${hint}; the rest still runs\n${error.output}`);
    return null;
  }
}

/** The demo app's ready user: generated once, kept in the state dir (0600) so restarts print the same password. */
interface DemoLogin {
  userName: string;
  password: string;
}

/** The demo is opened as localhost, not 127.0.0.1: passkeys made in the portal are scoped to the RP id `localhost`. */
function demoPublicUrl(port: number): string {
  return `http://localhost:${port}`;
}

/** A setting is missing or wrong: `start` stops with this message (exit code 2), before connecting anywhere. */
export class StartConfigurationError extends Error {
  override readonly name = 'StartConfigurationError';
}

/** Something this machine has (a port, a folder) stops the start: said in one message, exit code 1. */
export class StartFailedError extends Error {
  override readonly name = 'StartFailedError';
}

/**
 * The encryption keys to use, or why `start` must not run. Only the zero-setup embedded database
 * may fall back to a generated development key: with DATABASE_URL the data is real, and a key
 * made up on this machine would encrypt it under a key no other gateway has (issue 8).
 */
export function requireKeysForExternalDatabase(env: Pick<StartEnv, 'DATABASE_URL' | 'HOLDFAST_ENCRYPTION_KEYS' | 'HOLDFAST_ACTIVE_KEY_ID'>): void {
  const isExternal = env.DATABASE_URL !== undefined && env.DATABASE_URL !== '';
  const missing = (['HOLDFAST_ENCRYPTION_KEYS', 'HOLDFAST_ACTIVE_KEY_ID'] as const).filter((name) => (env[name] ?? '') === '');
  if (isExternal && missing.length > 0) {
    throw new StartConfigurationError(
      `DATABASE_URL is set, so ${missing.join(' and ')} must be set too: the development key is only for the embedded database ` +
        '(unset DATABASE_URL for zero setup). See .env.example.',
    );
  }
}

async function readOrCreateJson<T>(file: string, create: () => Promise<T> | T): Promise<T> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as T;
  const value = await create();
  await writeFile(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  return value;
}

/**
 * Starts one of the Next.js apps (the portal, the push PWA) with `next start` on 127.0.0.1 and
 * waits until it answers; null (with the reason printed) if it cannot. Each is built once (the
 * build is kept in its .next folder) and runs as a child process stopped by its PID. The `next`
 * binary is hoisted to the root node_modules.
 */
async function startNextApp(options: {
  name: string;
  dir: string;
  port: number;
  portSetting: string;
  env: Record<string, string>;
  signal: AbortSignal;
}): Promise<RunningProcess | null> {
  const appDir = path.join(repoRoot, options.dir);
  const nextBin = path.join(repoRoot, 'node_modules/next/dist/bin/next');
  if (!existsSync(path.join(appDir, '.next/BUILD_ID'))) {
    console.log(`building ${options.name} once (next build, about half a minute)…`);
    if ((await runToExit({ args: [nextBin, 'build'], cwd: appDir, env: options.env, signal: options.signal })) !== 0) {
      console.error(`${options.name} did not build (see above); the gateway still runs`);
      return null;
    }
  }
  // Quiet until it is up (Next's banner would bury the demo output); then its errors show, prefixed.
  const forwarding = { isOn: false };
  const prefix = `[${path.basename(options.dir)}] `;
  try {
    const app = await startProcess({
      name: options.name,
      args: [nextBin, 'start', '-H', '127.0.0.1', '-p', String(options.port)],
      cwd: appDir,
      env: options.env,
      ready: { url: `http://127.0.0.1:${options.port}/` },
      readyTimeoutMs: 60_000,
      signal: options.signal,
      onOutput: (chunk) => {
        if (forwarding.isOn) process.stderr.write(chunk.replace(/^(?=.)/gm, prefix));
      },
      // Only the startup output is needed (for the error below); later output is forwarded.
      maxOutputChars: 64 * 1024,
    });
    forwarding.isOn = true;
    return app;
  } catch (error) {
    if (!(error instanceof ProcessStartError)) throw error;
    const startupOutput = error.output;
    const hint = startupOutput.includes('EADDRINUSE') ? ` (port ${options.port} is in use: set ${options.portSetting})` : '';
    console.error(`${options.name} did not start${hint}; the gateway still runs\n${startupOutput}`);
    return null;
  }
}

/** The enrollment portal and hosted page (apps/web). */
function startWeb(options: { webPort: number; gatewayUrl: string; signal: AbortSignal }): Promise<RunningProcess | null> {
  // Only the web app's own settings: never encryption keys or database URLs (issue 8).
  // The portal's public URL defaults to this machine (plain http allowed on localhost only; the web
  // app refuses to start without it under `next start`); a HOLDFAST_WEB_PUBLIC_URL set by the user wins.
  const env = {
    HOLDFAST_WEB_PUBLIC_URL: `http://localhost:${options.webPort}`,
    ...webProcessEnv({ NEXT_TELEMETRY_DISABLED: '1', HOLDFAST_GATEWAY_URLS: options.gatewayUrl }),
  };
  return startNextApp({ name: 'the web app', dir: 'apps/web', port: options.webPort, portSetting: 'HOLDFAST_WEB_PORT', env, signal: options.signal });
}

/** The push-approval PWA (apps/push): pairing links and device signatures name its origin. */
function startPush(options: { pushPort: number; pushPublicUrl: string; gatewayUrl: string; signal: AbortSignal }): Promise<RunningProcess | null> {
  const env = {
    ...pushProcessEnv({ NEXT_TELEMETRY_DISABLED: '1', HOLDFAST_GATEWAY_URLS: options.gatewayUrl }),
    HOLDFAST_PUSH_PUBLIC_URL: options.pushPublicUrl,
  };
  return startNextApp({ name: 'the push app', dir: 'apps/push', port: options.pushPort, portSetting: 'HOLDFAST_PUSH_PORT', env, signal: options.signal });
}

/**
 * The admin console (apps/admin, issue 13) on its own origin. Skipped with a line, not a failure,
 * while the app does not exist in this checkout; a build that fails is reported the same way.
 */
function startAdmin(options: { adminPort: number; adminUrl: string; gatewayUrl: string; signal: AbortSignal }): Promise<RunningProcess | null> {
  if (!existsSync(path.join(repoRoot, 'apps/admin/package.json'))) {
    console.log('the admin console (apps/admin) is not in this checkout: not started');
    return Promise.resolve(null);
  }
  const env = {
    HOLDFAST_ADMIN_PUBLIC_URL: options.adminUrl,
    ...adminProcessEnv({ NEXT_TELEMETRY_DISABLED: '1', HOLDFAST_GATEWAY_URLS: options.gatewayUrl }),
  };
  return startNextApp({
    name: 'the admin console',
    dir: 'apps/admin',
    port: options.adminPort,
    portSetting: 'HOLDFAST_ADMIN_PORT',
    env,
    signal: options.signal,
  });
}

/** The demo's first owner: made once (kept in the state dir, 0600, so restarts print the same sign-in). */
interface DemoOwner {
  email: string;
  name: string;
  password: string;
}

async function ensureDemoOwner(options: { stateDir: string; databaseUrl: string; region: string }): Promise<DemoOwner | null> {
  const owner = await readOrCreateJson<DemoOwner>(path.join(options.stateDir, 'admin-owner.json'), () => ({
    email: 'owner@holdfast.example',
    name: 'Demo owner',
    password: generateAdminPassword(),
  }));
  const db = createDatabase({ url: options.databaseUrl, poolMax: 1 });
  try {
    const { rowCount } = await db.pool.query('SELECT 1 FROM admin_accounts WHERE email = $1', [owner.email]);
    if (rowCount === 0) await createAdminWithPassword({ databaseUrl: options.databaseUrl, region: options.region, ...owner, role: 'owner' });
    return owner;
  } catch (error) {
    console.error('could not create the demo admin owner:', error instanceof Error ? error.message : error);
    return null;
  } finally {
    await db.close();
  }
}

/**
 * What `start` has started, in order, with how to stop each. Ctrl-C or SIGTERM at any moment —
 * during start-up too — cancels the step in progress (the child it waits for is stopped), then
 * stops the rest newest first; a step that fails does the same before its error is reported. So
 * nothing outlives the command that started it: before, a signal during start-up ended the
 * command at once and left the gateway and the embedded Postgres running, orphaned.
 */
class StartedProcesses {
  private readonly stops: { name: string; stop: () => Promise<unknown> }[] = [];
  private readonly cancellation = new AbortController();
  private stopping: Promise<void> | null = null;
  /** Aborted by the first signal; every child's start and build gets it. */
  readonly signal = this.cancellation.signal;

  /** Registers what was started (a child, or the embedded Postgres) and hands it back; null (did not start) is passed through. */
  track<T extends { name: string; stop: () => Promise<unknown> } | null>(started: T): T {
    if (started !== null) this.stops.push({ name: started.name, stop: started.stop });
    return started;
  }

  cancel(): void {
    this.cancellation.abort();
  }

  /** For steps that start nothing cancellable (Postgres, migrations): go no further once cancelled. */
  throwIfCancelled(): void {
    if (this.signal.aborted) throw new StartCancelledError('holdfast start');
  }

  /** Stops everything started, newest first; once (a second call waits for the first). */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (let next = this.stops.pop(); next !== undefined; next = this.stops.pop()) {
        const { name, stop } = next;
        await stop().catch((error: unknown) => {
          console.error(`could not stop ${name}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
    })();
    return this.stopping;
  }
}

export async function startPlatform(): Promise<void> {
  const started = new StartedProcesses();
  let startup: Promise<void> = Promise.resolve();
  let isStopping = false;
  const stopOnSignal = (): void => {
    // A second Ctrl-C while stopping changes nothing: each stop has its own SIGKILL deadline.
    if (isStopping) return;
    isStopping = true;
    started.cancel();
    void (async () => {
      // The step in progress ends first (cancelled, or done — what it started is then registered).
      await startup.catch(() => undefined);
      await started.stopAll();
      process.exit(0);
    })();
  };
  // Registered before anything starts, for the whole life of the command.
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  startup = startEverything(started);
  try {
    await startup;
  } catch (error) {
    // Cancelled by a signal (or failing because of it): its handler stops the rest and exits.
    if (error instanceof StartCancelledError || started.signal.aborted) return;
    await started.stopAll();
    throw error;
  }
}

async function startEverything(started: StartedProcesses): Promise<void> {
  const startEnv = readStartEnv();
  requireKeysForExternalDatabase(startEnv);
  const stateDir = path.resolve(repoRoot, startEnv.HOLDFAST_STATE_DIR ?? '.holdfast');
  // 0711: as root, Postgres runs as the `postgres` user and must traverse into pgdata; files stay 0600.
  await mkdir(stateDir, { recursive: true, mode: 0o711 });
  await chmod(stateDir, 0o711);

  let isEmbedded = false;
  let databaseUrl = startEnv.DATABASE_URL;
  let migrationUrl = startEnv.DATABASE_MIGRATION_URL === '' ? undefined : startEnv.DATABASE_MIGRATION_URL;
  if (databaseUrl === undefined || databaseUrl === '') {
    console.log(`no DATABASE_URL: starting an embedded Postgres (data in ${path.join(stateDir, 'pgdata')})`);
    const embedded = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'pgdata'), port: startEnv.HOLDFAST_EMBEDDED_PG_PORT }).catch(
      (error: unknown) => {
        throw new StartFailedError(
          `${error instanceof Error ? error.message : String(error)}\n` +
            `Is another "holdfast start" running on ${stateDir}, or port ${String(startEnv.HOLDFAST_EMBEDDED_PG_PORT)} taken? (HOLDFAST_STATE_DIR, HOLDFAST_EMBEDDED_PG_PORT)`,
          { cause: error },
        );
      },
    );
    isEmbedded = true;
    started.track({ name: 'the embedded Postgres', stop: embedded.stop });
    started.throwIfCancelled();
    const admin = createDatabase({ url: embedded.url, poolMax: 1 });
    const exists = await admin.pool.query("SELECT 1 FROM pg_database WHERE datname = 'holdfast'");
    if (exists.rowCount === 0) await admin.pool.query('CREATE DATABASE holdfast');
    await admin.close();
    const url = new URL(embedded.url);
    url.pathname = '/holdfast';
    // Least privilege (issue 8): the superuser only creates the roles; the migrator migrates, the
    // gateway serves. Their passwords are generated once and kept here, like the development key.
    const passwords = await readOrCreateJson<DatabaseRolePasswords>(path.join(stateDir, 'database-roles.json'), () => ({
      migrator: generateRolePassword(),
      gateway: generateRolePassword(),
    }));
    await bootstrapDatabaseRoles({ adminUrl: url.toString(), passwords });
    migrationUrl = roleUrl(url.toString(), defaultRoleNames.migrator, passwords.migrator);
    databaseUrl = roleUrl(url.toString(), defaultRoleNames.gateway, passwords.gateway);
  }
  if (migrationUrl !== undefined) {
    const migrator = createDatabase({ url: migrationUrl, poolMax: 1 });
    try {
      const applied = await migrateDatabase({ pool: migrator.pool });
      if (applied.length > 0) console.log(`migrated: ${applied.join(', ')}`);
    } finally {
      await migrator.close();
    }
  }
  started.throwIfCancelled();

  let keys = { keys: startEnv.HOLDFAST_ENCRYPTION_KEYS, activeKeyId: startEnv.HOLDFAST_ACTIVE_KEY_ID };
  if (keys.keys === undefined || keys.activeKeyId === undefined) {
    // Embedded database only (requireKeysForExternalDatabase): a development key, kept on this machine.
    const local = await readOrCreateJson(path.join(stateDir, 'dev-encryption-key.json'), () => ({
      activeKeyId: 'dev1',
      keys: `dev1:${randomBytes(32).toString('base64')}`,
    }));
    keys = local;
    console.log(`using the local development encryption key in ${path.join(stateDir, 'dev-encryption-key.json')}`);
  }

  const webPort = startEnv.HOLDFAST_WEB_PORT;
  const { env, processEnv } = launcherGatewayEnv({
    // Enrollment links point at the web app started below, pairing links at the push app, unless
    // HOLDFAST_PUBLIC_URL / HOLDFAST_PUSH_PUBLIC_URL say otherwise.
    // The audit state (the last checkpoint the gateway verified) and spool live with the data they
    // belong to: wiping the state folder wipes both, and is not taken for a rewritten history.
    defaults: {
      HOLDFAST_PUBLIC_URL: `http://localhost:${webPort}`,
      HOLDFAST_PUSH_PUBLIC_URL: `http://localhost:${startEnv.HOLDFAST_PUSH_PORT}`,
      // Admin passkeys are bound to the console's origin (localhost: a secure context over http).
      HOLDFAST_ADMIN_ORIGIN: `http://localhost:${startEnv.HOLDFAST_ADMIN_PORT}`,
      HOLDFAST_AUDIT_STATE_DIR: path.join(stateDir, 'audit-state'),
      HOLDFAST_AUDIT_SPOOL_DIR: path.join(stateDir, 'audit-spool'),
    },
    overrides: {
      DATABASE_URL: databaseUrl,
      HOLDFAST_ENCRYPTION_KEYS: keys.keys,
      HOLDFAST_ACTIVE_KEY_ID: keys.activeKeyId,
      // Migrated above as the migrator; the gateway role could only check.
      ...(migrationUrl === undefined ? {} : { HOLDFAST_MIGRATE: 'false' }),
    },
  });
  const gatewayUrl = `http://${env.HOLDFAST_HOST}:${env.HOLDFAST_PORT}`;
  // SIGTERM to the gateway's primary stops it: its workers close gracefully (failure counters written).
  started.track(await startGateway({ env: processEnv, url: gatewayUrl, signal: started.signal }));
  const gateway = { url: gatewayUrl };

  // The demo application's key is kept locally so restarts print the same, still-valid key.
  // Seeding is set-up work: as the migrator when there is one.
  const db = createDatabase({ url: migrationUrl ?? env.DATABASE_URL, poolMax: 1 });
  const demoFile = path.join(stateDir, 'demo-application.json');
  let demo = existsSync(demoFile) ? (JSON.parse(await readFile(demoFile, 'utf8')) as { applicationId: string; apiKey: string }) : null;
  if (demo === null || (await db.prisma.application.count({ where: { id: demo.applicationId } })) === 0) {
    demo = await createApplication({ prisma: db.prisma, name: 'Demo application' });
    await writeFile(demoFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
  }
  // Passkeys are registered in the portal and used on the demo's sign-in page: a WebAuthn ceremony
  // is checked against the origin of the page that ran it, port included, so both are allowed.
  // The hosted page may send the browser back only to a registered callback (exact match).
  const demoUrl = demoPublicUrl(startEnv.HOLDFAST_DEMO_PORT);
  await db.prisma.application.update({
    where: { id: demo.applicationId },
    data: { rpId: 'localhost', allowedOrigins: [`http://localhost:${webPort}`, demoUrl], callbackUrls: [`${demoUrl}/verify/hosted/callback`] },
  });
  await db.close();

  // Each app is stopped by its PID: SIGTERM, SIGKILL if not exited within 5 s.
  const web = started.track(await startWeb({ webPort, gatewayUrl: gateway.url, signal: started.signal }));
  const pushApp = started.track(
    await startPush({
      pushPort: startEnv.HOLDFAST_PUSH_PORT,
      pushPublicUrl: env.HOLDFAST_PUSH_PUBLIC_URL,
      gatewayUrl: gateway.url,
      signal: started.signal,
    }),
  );
  const adminApp = started.track(
    await startAdmin({
      adminPort: startEnv.HOLDFAST_ADMIN_PORT,
      adminUrl: env.HOLDFAST_ADMIN_ORIGIN,
      gatewayUrl: gateway.url,
      signal: started.signal,
    }),
  );
  // The demo owner (printed password, no factor yet) only on the embedded zero-setup database: on a
  // real one, whoever read this output first could enroll their own factor and be its owner.
  const owner = isEmbedded ? await ensureDemoOwner({ stateDir, databaseUrl: migrationUrl ?? env.DATABASE_URL, region: env.HOLDFAST_REGION }) : null;
  const adminLines =
    owner === null
      ? ''
      : `
Admin console ${adminApp === null ? '(not running: see above) ' : ''}at ${env.HOLDFAST_ADMIN_ORIGIN}
  email:     ${owner.email}
  password:  ${owner.password}
  (the first sign-in sets up a passkey or an authenticator app; "holdfast admin create" makes more admins)
`;
  // The demo user is "demo-user", the same Holdfast user the enrollment link below is for.
  const demoLogin = await readOrCreateJson<DemoLogin>(path.join(stateDir, 'demo-login.json'), () => ({
    userName: 'demo-user',
    password: randomBytes(12).toString('base64url'),
  }));
  const demoApp = started.track(
    await startDemo({
      port: startEnv.HOLDFAST_DEMO_PORT,
      gatewayUrl: gateway.url,
      portalUrl: `http://localhost:${webPort}`,
      apiKey: demo.apiKey,
      stateDir,
      user: demoLogin,
      signal: started.signal,
    }),
  );
  // First in the output: what a newcomer should open.
  const demoLines =
    demoApp === null
      ? ''
      : `
Sign in to the demo app (password, then Holdfast) at ${demoUrl}
  user name: ${demoLogin.userName}
  password:  ${demoLogin.password}
  (a user without a second step is offered to set one up in the portal; or create your own account there)
`;

  // A fresh one-time link for a demo user, made the way a relying application would (API key + SDK).
  let enrollLine = '';
  if (web !== null) {
    const holdfast = createHoldfastClient({ gateways: [gateway.url], apiKey: demo.apiKey, probeIntervalMs: 0 });
    // A failure here must not leave the web server and Postgres running behind a crashed process.
    const link = await holdfast.createEnrollmentLink({ userId: 'demo-user' }).catch((error: unknown) => {
      console.error('could not create the demo enrollment link:', error instanceof Error ? error.message : error);
      return null;
    });
    holdfast.close();
    enrollLine = `
Enrollment portal at http://localhost:${webPort}${pushApp === null ? '' : `\nPush approval app (pair a phone from the portal) at ${env.HOLDFAST_PUSH_PUBLIC_URL}`}
${
  link === null
    ? ''
    : `  Enroll a factor for "demo-user" (one-time link, valid until ${link.expiresAt}; the demo app makes new ones):
  ${link.url}
`
}`;
  }

  // The REST surface (plain JSON; the OpenAPI document is at /v1/openapi.json); /trpc speaks the same.
  const api = `${gateway.url}/v1`;
  console.log(`${demoLines}
Holdfast gateway ready at ${gateway.url}  (health: ${gateway.url}/readyz)
${enrollLine}${adminLines}
Demo application API key (keep it secret):
  ${demo.apiKey}

Try it:
  export HOLDFAST_API_KEY='${demo.apiKey}'
  curl -s -H "authorization: Bearer $HOLDFAST_API_KEY" '${api}/preauth?userId=alice'
  curl -s -X POST -H "authorization: Bearer $HOLDFAST_API_KEY" -H 'content-type: application/json' \\
    -d '{"userId":"alice"}' '${api}/enrollment/create-link'

API reference: ${api}/openapi.json. See README.md ("Integrate your app"). Ctrl-C stops everything.
`);
}
