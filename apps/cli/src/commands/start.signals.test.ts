import { startEmbeddedPostgres } from '@holdfast/db';
import { findFreePort as freePort } from '@holdfast/db/testing';
import { readProcStatSync, startProcess, type RunningProcess } from '@holdfast/process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/holdfast.ts', import.meta.url));

/** Every process below `root` right now (children, grandchildren…), from /proc. */
function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStatSync(Number(entry)); // null: exited while being read
    if (stat !== null) parentOf.set(Number(entry), stat.ppid);
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parentOf].filter(([, parent]) => frontier.includes(parent)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Alive and not a zombie (a zombie has exited; its parent has not collected it yet). */
function isRunning(pid: number): boolean {
  const stat = readProcStatSync(pid);
  return stat !== null && stat.state !== 'Z';
}

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Runs `holdfast start` on a fresh embedded database and free ports, sends SIGTERM as soon as its
 * output matches `signalWhen` (before its banner), and returns what was running under it then.
 */
async function signalDuringStart(signalWhen: RegExp): Promise<{ cli: RunningProcess; before: number[]; stateDir: string }> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'holdfast-start-signal-'));
  const ports = {
    HOLDFAST_PORT: await freePort(),
    HOLDFAST_EMBEDDED_PG_PORT: await freePort(),
    HOLDFAST_WEB_PORT: await freePort(),
    HOLDFAST_PUSH_PORT: await freePort(),
    HOLDFAST_ADMIN_PORT: await freePort(),
    HOLDFAST_DEMO_PORT: await freePort(),
  };
  const cli = await startProcess({
    name: 'holdfast start',
    args: ['--import', 'tsx', bin, 'start'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOLDFAST_STATE_DIR: stateDir,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stopTimeoutMs: 30_000,
  });
  await waitFor(() => signalWhen.test(cli.output()) || !cli.isRunning(), `${String(signalWhen)} in the output`, 120_000);
  expect(cli.output()).not.toMatch(/Ctrl-C stops everything/);
  const before = descendantsOf(cli.pid);
  process.kill(cli.pid, 'SIGTERM');
  return { cli, before, stateDir };
}

// A signal during start-up ended the command by the default action and left the gateway and the
// embedded Postgres running with nobody to stop them. Now the step in progress is cancelled and
// everything started so far is stopped.
describe('[START_SIGNAL_DURING_STARTUP] holdfast start stopped before it is up', () => {
  it('SIGTERM while the gateway is up and the apps are starting: every process it started has exited, Postgres cleanly', async () => {
    const { cli, before, stateDir } = await signalDuringStart(/"event":"workers_ready"/);
    try {
      expect(before.length).toBeGreaterThanOrEqual(4); // Postgres and its helpers, the gateway's primary and workers
      const exit = await cli.exited;
      expect(exit.code).toBe(0);
      await waitFor(() => before.every((pid) => !isRunning(pid)), 'every process started to exit', 15_000);
      // A clean stop removes the lock file; a killed Postgres leaves it behind.
      expect(existsSync(path.join(stateDir, 'pgdata', 'postmaster.pid'))).toBe(false);
    } finally {
      for (const pid of before.filter(isRunning)) process.kill(pid, 'SIGKILL');
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('SIGTERM while the embedded Postgres is starting: it is stopped once up, and nothing after it starts', async () => {
    const { cli, stateDir } = await signalDuringStart(/starting an embedded Postgres/);
    let after: number[] = [];
    try {
      // What was started after the signal is not in `before`: watch the whole tree until the command exits.
      const seen = new Set<number>();
      const watching = setInterval(() => {
        for (const pid of descendantsOf(cli.pid)) seen.add(pid);
      }, 20);
      const exit = await cli.exited;
      clearInterval(watching);
      after = [...seen];
      expect(exit.code).toBe(0);
      await waitFor(() => after.every((pid) => !isRunning(pid)), 'every process started to exit', 15_000);
      expect(cli.output()).not.toMatch(/"event":"listening"|"event":"workers_ready"/);
      expect(existsSync(path.join(stateDir, 'pgdata', 'postmaster.pid'))).toBe(false);
    } finally {
      for (const pid of after.filter(isRunning)) process.kill(pid, 'SIGKILL');
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('[START_STATE_IN_USE] holdfast start on a state folder already in use', () => {
  it('says why in one message and exits 1, leaving the running Postgres alone', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'holdfast-start-busy-'));
    await chmod(stateDir, 0o711);
    const running = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'pgdata'), port: await freePort(), isThrowaway: true });
    try {
      const cli = await startProcess({
        name: 'holdfast start',
        args: ['--import', 'tsx', bin, 'start'],
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOLDFAST_STATE_DIR: stateDir, HOLDFAST_EMBEDDED_PG_PORT: String(await freePort()) },
      });
      const exit = await cli.exited;
      expect(exit.code).toBe(1);
      expect(cli.output()).toMatch(/holdfast start: the embedded Postgres \(data in .*pgdata, port \d+\) exited before it was ready/);
      expect(cli.output()).toMatch(/lock file "postmaster.pid" already exists/);
      expect(cli.output()).toMatch(/Is another "holdfast start" running on /);
      expect(cli.output()).not.toMatch(/triggerUncaughtException|^undefined$/m);
      expect(existsSync(path.join(stateDir, 'pgdata', 'postmaster.pid'))).toBe(true);
    } finally {
      await running.stop();
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 60_000);
});
