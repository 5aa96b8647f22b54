import { findFreePort } from '@holdfast/db/testing';
import { startProcess, type ProcessExit } from '@holdfast/process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const gatewayDir = fileURLToPath(new URL('../..', import.meta.url));

/** A test keyring: two keys so rotation can be exercised; k1 active unless told otherwise. */
export const testKeys = {
  k1: randomBytes(32).toString('base64'),
  k2: randomBytes(32).toString('base64'),
};

export interface GatewayProcess {
  url: string;
  gatewayId: string;
  pid: number;
  output: () => string;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s; resolves with how it exited. */
  stop: () => Promise<ProcessExit>;
  /** SIGKILL: a crash, not a shutdown. */
  kill: () => Promise<void>;
}

/**
 * Starts a real gateway process — the built JavaScript, `node dist/main.js`, as deployed (turbo
 * builds the gateway before its tests) — on a free 127.0.0.1 port and waits for /healthz. One
 * worker process unless `env` sets HOLDFAST_GATEWAY_WORKERS: tests measure one process's buckets
 * and pools, and the machine's cores are shared by the test's other gateways.
 */
export async function startGateway(options: {
  databaseUrl: string;
  gatewayId: string;
  region?: string;
  env?: Record<string, string>;
  waitUntilReady?: boolean;
}): Promise<GatewayProcess> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const path = options.waitUntilReady === true ? '/readyz' : '/healthz';
  const child = await startProcess({
    name: `gateway ${options.gatewayId}`,
    args: ['--enable-source-maps', 'dist/main.js'],
    cwd: gatewayDir,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: options.databaseUrl,
      HOLDFAST_HOST: '127.0.0.1',
      HOLDFAST_PORT: String(port),
      HOLDFAST_GATEWAY_ID: options.gatewayId,
      HOLDFAST_REGION: options.region ?? 'test',
      HOLDFAST_ENCRYPTION_KEYS: `k1:${testKeys.k1},k2:${testKeys.k2}`,
      HOLDFAST_ACTIVE_KEY_ID: 'k1',
      HOLDFAST_CANARY_INTERVAL_MS: '1000',
      HOLDFAST_GATEWAY_WORKERS: '1',
      ...options.env,
    },
    ready: { url: `${url}${path}` },
    readyTimeoutMs: 30_000,
  });
  return {
    url,
    gatewayId: options.gatewayId,
    pid: child.pid,
    output: child.output,
    stop: () => child.stop(),
    kill: async () => {
      await child.kill();
    },
  };
}
