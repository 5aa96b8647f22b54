import { startProcess } from '@holdfast/process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { webProcessEnv } from '../env';
import { requireKeysForExternalDatabase, StartConfigurationError } from './start';

const bin = fileURLToPath(new URL('../bin/holdfast.ts', import.meta.url));

// Issue 8: outside the zero-setup embedded database, missing encryption keys stop the start; each
// process gets only the settings it needs.
describe('[START_REQUIRES_KEYS] holdfast start with DATABASE_URL', () => {
  it('refuses to start without encryption keys, with a clear message, before connecting to the database', async () => {
    // A "database" that only counts who connects to it.
    const connections = { count: 0 };
    const server = net.createServer((socket) => {
      connections.count += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const stateDir = await mkdtemp(path.join(tmpdir(), 'holdfast-start-'));
    try {
      const child = await startProcess({
        name: 'holdfast start',
        args: ['--import', 'tsx', bin, 'start'],
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: `postgresql://holdfast_gateway:x@127.0.0.1:${port}/holdfast`,
          HOLDFAST_STATE_DIR: stateDir,
        },
      });
      const exit = await child.exited;
      expect(exit.code).toBe(2);
      expect(child.output()).toMatch(/DATABASE_URL is set, so HOLDFAST_ENCRYPTION_KEYS and HOLDFAST_ACTIVE_KEY_ID must be set/);
      expect(connections.count).toBe(0);
    } finally {
      server.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('names only the missing setting, and lets the embedded database (no DATABASE_URL) use the development key', () => {
    expect(() => {
      requireKeysForExternalDatabase({ DATABASE_URL: 'postgresql://h@x/db', HOLDFAST_ENCRYPTION_KEYS: 'k1:abc' });
    }).toThrow(
      new StartConfigurationError(
        'DATABASE_URL is set, so HOLDFAST_ACTIVE_KEY_ID must be set too: the development key is only for the embedded database (unset DATABASE_URL for zero setup). See .env.example.',
      ),
    );
    expect(() => {
      requireKeysForExternalDatabase({ DATABASE_URL: 'postgresql://h@x/db', HOLDFAST_ENCRYPTION_KEYS: 'k1:abc', HOLDFAST_ACTIVE_KEY_ID: 'k1' });
    }).not.toThrow();
    expect(() => {
      requireKeysForExternalDatabase({});
    }).not.toThrow();
    expect(() => {
      requireKeysForExternalDatabase({ DATABASE_URL: '' });
    }).not.toThrow();
  });
});

describe('[WEB_ENV_MINIMAL] the web app process', () => {
  it('gets its own settings and never encryption keys or database URLs', () => {
    const env = webProcessEnv(
      { HOLDFAST_GATEWAY_URLS: 'http://127.0.0.1:4000' },
      {
        PATH: '/usr/bin',
        NODE_ENV: 'production',
        HOLDFAST_WEB_SESSION_SECRET: 's'.repeat(32),
        HOLDFAST_WEB_PORT: '3000',
        HOLDFAST_ENCRYPTION_KEYS: 'k1:secret',
        HOLDFAST_ACTIVE_KEY_ID: 'k1',
        DATABASE_URL: 'postgresql://holdfast_gateway:pw@db/holdfast',
        DATABASE_MIGRATION_URL: 'postgresql://holdfast_migrator:pw@db/holdfast',
        AWS_SECRET_ACCESS_KEY: 'nope',
      },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      NODE_ENV: 'production',
      HOLDFAST_WEB_SESSION_SECRET: 's'.repeat(32),
      HOLDFAST_GATEWAY_URLS: 'http://127.0.0.1:4000',
    });
  });
});
