import { findFreePort } from '@holdfast/db/testing';
import { spawn, type ChildProcess } from 'node:child_process';
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
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop: () => Promise<void>;
  /** SIGKILL: a crash, not a shutdown. */
  kill: () => Promise<void>;
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

/** Starts a real gateway process (node + tsx) on a free 127.0.0.1 port and waits for /healthz. */
export async function startGateway(options: {
  databaseUrl: string;
  gatewayId: string;
  region?: string;
  env?: Record<string, string>;
  waitUntilReady?: boolean;
}): Promise<GatewayProcess> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
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
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const path = options.waitUntilReady === true ? '/readyz' : '/healthz';
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway ${options.gatewayId} exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway ${options.gatewayId} did not become ${path} within 30 s:\n${output}`);
    }
    const ok = await fetch(`${url}${path}`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid ?? -1;
  return {
    url,
    gatewayId: options.gatewayId,
    pid,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
    kill: async () => {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    },
  };
}
