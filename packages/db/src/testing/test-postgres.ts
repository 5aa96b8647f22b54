// A real, throw-away Postgres for tests, on a free port (kept apart from index.ts so that
// silent-standby.ts can use it without index.ts and silent-standby.ts importing each other).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../embedded';

/** A port the OS says is free right now (tests bind many servers on 127.0.0.1). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** A real, throw-away Postgres 15 for one test run (the data directory is deleted on stop). */
export async function startTestPostgres(): Promise<EmbeddedPostgresHandle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-test-pg-'));
  // mkdtemp makes the folder 0700; as root, Postgres runs as the `postgres` user and must reach it.
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort(), isThrowaway: true });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
