// The processes under test: the gateway (built JavaScript when the bundle exists, as production
// runs it) and the reference server, each started and stopped by its own PID; and their memory,
// read from /proc (the gateway's workers are its children).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '@holdfast/db/testing';
import { clockTicksPerSecond, readProcStatSync, startProcess, type RunningProcess } from '@holdfast/process';
import { benchEnv } from './env';

export const gatewayDir = fileURLToPath(new URL('..', import.meta.url));
const distMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface StartedServer {
  url: string;
  process: RunningProcess;
  /** How it was started, for the report ("dist/main.js", "tsx src/main.ts"). */
  how: string;
}

const showErrors = (chunk: string, stream: 'stdout' | 'stderr'): void => {
  // Its errors show as they happen; stdout (request logs) is not shown, only its tail is kept.
  if (stream === 'stderr') process.stderr.write(chunk);
};

/**
 * The gateway under test. `dist` is `node dist/main.js` (issue 9: gateways run the built
 * JavaScript; `npm run bench` builds it first, so it is never stale). `auto` falls back to
 * src/main.ts through tsx — the way test/support/gateways.ts starts one — when the bundle is
 * missing or does not start, and the report's conditions say which ran.
 */
export async function startGateway(options: {
  databaseUrl: string;
  keys: string;
  activeKeyId: string;
  poolMax: number;
  /** Default `gw-bench`; each gateway of a run needs its own (its audit state and spool are kept per id). */
  gatewayId?: string;
  /**
   * The run's own folder for the audit state and spool. The defaults live under the OS temp dir,
   * named by gateway id and database endpoint: a later run whose Postgres drew the same port found
   * an earlier run's trusted checkpoint (a larger tree), raised the history alarm and never sealed.
   */
  auditDir: string;
  /** Settings on top of the bench's (the sealer off for the sealing comparison). */
  env?: Record<string, string>;
}): Promise<StartedServer> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const nodeOptions = benchEnv.BENCH_GATEWAY_NODE_OPTIONS.split(' ').filter((o) => o !== '');
  const env: Record<string, string> = {
    PATH: benchEnv.PATH,
    DATABASE_URL: options.databaseUrl,
    HOLDFAST_HOST: '127.0.0.1',
    HOLDFAST_PORT: String(port),
    HOLDFAST_GATEWAY_ID: options.gatewayId ?? 'gw-bench',
    HOLDFAST_REGION: 'bench',
    HOLDFAST_ENCRYPTION_KEYS: options.keys,
    HOLDFAST_ACTIVE_KEY_ID: options.activeKeyId,
    HOLDFAST_DB_POOL_MAX: String(options.poolMax),
    HOLDFAST_CANARY_INTERVAL_MS: '5000',
    // The per-address flood shield (2,000/s by default) would cap one client's load: it is not what is measured.
    HOLDFAST_RATE_IP_PER_SECOND: '1000000',
    HOLDFAST_RATE_IP_BURST: '1000000',
    HOLDFAST_RATE_KEY_PER_SECOND: '1000000',
    HOLDFAST_RATE_KEY_BURST: '1000000',
    // The retention job would delete the --history rows (and load the machine) mid-run.
    HOLDFAST_RETENTION_INTERVAL_MS: '0',
    HOLDFAST_AUDIT_STATE_DIR: path.join(options.auditDir, 'state'),
    HOLDFAST_AUDIT_SPOOL_DIR: path.join(options.auditDir, 'spool', options.gatewayId ?? 'gw-bench'),
    ...(benchEnv.BENCH_GATEWAY_WORKERS === '' ? {} : { HOLDFAST_GATEWAY_WORKERS: benchEnv.BENCH_GATEWAY_WORKERS }),
    ...Object.fromEntries(
      benchEnv.BENCH_GATEWAY_ENV.split(',')
        .filter((pair) => pair !== '')
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    ),
    ...options.env,
  };
  const start = async (args: string[], how: string): Promise<StartedServer> => {
    const child = await startProcess({
      name: `gateway (${how})`,
      args: [...nodeOptions, ...args],
      cwd: gatewayDir,
      env,
      ready: { url: `${url}/readyz` },
      readyTimeoutMs: 60_000,
      onOutput: showErrors,
      maxOutputChars: 64 * 1024,
    });
    return { url, process: child, how };
  };
  const useDist = benchEnv.BENCH_GATEWAY_FROM === 'dist' || (benchEnv.BENCH_GATEWAY_FROM === 'auto' && existsSync(distMain));
  if (!useDist) return start(['--import', 'tsx', 'src/main.ts'], 'tsx src/main.ts');
  try {
    return await start([distMain], 'node dist/main.js');
  } catch (error) {
    if (benchEnv.BENCH_GATEWAY_FROM === 'dist') throw error;
    // A stale or not-yet-standalone bundle: say so, and measure the source build instead.
    console.error(`dist/main.js did not start (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); using tsx src/main.ts`);
    return start(['--import', 'tsx', 'src/main.ts'], 'tsx src/main.ts (dist/main.js failed)');
  }
}

/** The reference server (c): bench/reference-server.ts in its own process. */
export async function startReferenceServer(env: Record<string, string>): Promise<StartedServer> {
  const port = await findFreePort();
  const child = await startProcess({
    name: 'reference server',
    args: ['--import', 'tsx', 'bench/reference-server.ts'],
    cwd: gatewayDir,
    env: { PATH: benchEnv.PATH, ...env, REFERENCE_PORT: String(port) },
    ready: { line: /^reference server listening/ },
    readyTimeoutMs: 30_000,
    onOutput: showErrors,
    maxOutputChars: 16 * 1024,
  });
  return { url: `http://127.0.0.1:${port}`, process: child, how: 'node:http + pg (tsx)' };
}

/** Direct children of `pid` (the gateway's cluster workers), from /proc/<pid>/task/*\/children or a scan of /proc. */
function childrenOf(pid: number): number[] {
  try {
    const tasks = readdirSync(`/proc/${pid}/task`);
    const ids = tasks.flatMap((task) => {
      try {
        return readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
          .split(' ')
          .filter((s) => s.trim() !== '')
          .map(Number);
      } catch {
        return [];
      }
    });
    if (ids.length > 0) return ids;
  } catch {
    return [];
  }
  // Kernels without CONFIG_PROC_CHILDREN: the parent PID is field 4 of /proc/<pid>/stat.
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) => readProcStatSync(candidate)?.ppid === pid);
}

export interface ProcessMemory {
  totalMb: number;
  /**
   * The process itself first, then each child (two levels: a launcher, its workers). `mb` is RSS
   * (what the issue's target is stated in); `privateMb` is the part only this process holds (its
   * heaps), the rest being pages it shares — mostly node's own binary, ~42 MB in every node
   * process, counted again in each one's RSS. Both from /proc/<pid>/smaps_rollup.
   */
  perProcess: { pid: number; mb: number; privateMb: number | null }[];
}

/** One read of /proc/<pid>/smaps_rollup: Rss, and Private_Clean + Private_Dirty, in MB; null when the process is gone. */
function memoryOf(pid: number): { mb: number; privateMb: number | null } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return null;
  }
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  const rss = kb('Rss');
  if (!Number.isFinite(rss)) return null;
  const own = kb('Private_Clean') + kb('Private_Dirty');
  return { mb: rss / 1024, privateMb: Number.isFinite(own) ? own / 1024 : null };
}

export function treeRss(pid: number): ProcessMemory {
  const pids = [pid];
  for (const child of childrenOf(pid)) {
    pids.push(child);
    pids.push(...childrenOf(child));
  }
  const perProcess = pids.flatMap((p) => {
    const memory = memoryOf(p);
    return memory === null ? [] : [{ pid: p, ...memory }];
  });
  return { totalMb: perProcess.reduce((sum, p) => sum + p.mb, 0), perProcess };
}

/** CPU seconds (user + system) used so far by `pid` and its children two levels down (a gateway's workers, Postgres's backends), per process. */
export function treeCpuSeconds(pid: number): Map<number, number> {
  const pids = [pid];
  for (const child of childrenOf(pid)) {
    pids.push(child);
    pids.push(...childrenOf(child));
  }
  const seconds = new Map<number, number>();
  for (const p of pids) {
    const stat = readProcStatSync(p); // null: exited between the listing and the read
    if (stat !== null) seconds.set(p, stat.cpuTicks / clockTicksPerSecond);
  }
  return seconds;
}

/**
 * CPU seconds a process tree used between two readings: each process's growth, and all of a
 * process that started in between. A process that exited in between (an autovacuum worker) takes
 * its time in the interval with it: an undercount, never a negative.
 */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += Math.max(0, seconds - (before.get(pid) ?? 0));
  return total;
}

/**
 * Pauses (SIGSTOP) or resumes (SIGCONT) a process and its children (a gateway and its cluster
 * workers): a paused gateway uses no CPU and runs no timers — no sealer, canary or history check —
 * while another one is measured. The parent is stopped last and resumed first.
 */
export function signalTree(pid: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const children = childrenOf(pid).flatMap((child) => [child, ...childrenOf(child)]);
  const order = signal === 'SIGSTOP' ? [...children, pid] : [pid, ...children];
  for (const target of order) {
    try {
      process.kill(target, signal);
    } catch {
      // Gone already (a worker restarted): nothing to pause.
    }
  }
}

export const formatMemory = (m: ProcessMemory): string => `${m.totalMb.toFixed(0)} MB (${m.perProcess.map((p) => `${p.pid}: ${p.mb.toFixed(0)}`).join(', ')})`;
