import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded';
import { findFreePort } from './testing/test-postgres';

// `npm start` twice on one state folder (or a taken port) crashed with "undefined": the package
// rejects with nothing when Postgres exits before it is ready.
describe('[EMBEDDED_START_ERROR] an embedded Postgres that cannot start', () => {
  it('says why, in Postgres’s own words, when its data folder is already in use', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-embedded-'));
    await chmod(dir, 0o755);
    const dataDir = path.join(dir, 'data');
    const first = await startEmbeddedPostgres({ dataDir, port: await findFreePort(), isThrowaway: true });
    try {
      const port = await findFreePort();
      const second = startEmbeddedPostgres({ dataDir, port });
      await expect(second).rejects.toThrow(`the embedded Postgres (data in ${dataDir}, port ${String(port)}) exited before it was ready`);
      await expect(second).rejects.toThrow(/lock file "postmaster.pid" already exists/);
    } finally {
      await first.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
