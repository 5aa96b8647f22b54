// Starting, tracking and stopping the cluster's processes — always by PID, never by name.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type ProcessKind = 'etcd' | 'patroni' | 'haproxy' | 'gateway';

export interface ProcessRecord {
  name: string;
  kind: ProcessKind;
  region: string;
  pid: number;
  port: number;
  logFile: string;
}

export interface ClusterState {
  processes: ProcessRecord[];
}

/** A PID names a live process only if /proc says so and it is not a zombie (PID 1 here may reap late). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Direct children of a process (Patroni's postmaster, a postmaster's backends). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export async function waitUntilDead(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pids.every((pid) => !isAlive(pid))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return pids.every((pid) => !isAlive(pid));
}

/** SIGTERM, then SIGKILL after `graceMs` — for the process and, optionally, its whole subtree. */
export async function stopProcess(pid: number, options: { graceMs: number; withChildren?: boolean }): Promise<void> {
  const tree = options.withChildren === true ? collectTree(pid) : [pid];
  signal(pid, 'SIGTERM');
  if (await waitUntilDead([pid], options.graceMs)) {
    const rest = tree.filter(isAlive);
    if (rest.length === 0 || (await waitUntilDead(rest, options.graceMs))) return;
  }
  for (const p of tree) signal(p, 'SIGKILL');
  await waitUntilDead(tree, 5_000);
}

/** SIGKILL the process and everything below it: a crash, not a shutdown. */
export async function killTree(pid: number): Promise<void> {
  const tree = collectTree(pid);
  for (const p of tree) signal(p, 'SIGKILL');
  await waitUntilDead(tree, 5_000);
}

export function collectTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) {
    const current = all[i];
    if (current !== undefined) all.push(...childrenOf(current));
  }
  return all;
}

/** The postmaster of a data directory, from its postmaster.pid. */
export function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

export function postgresUid(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const fields = line?.split(':');
  if (fields?.[2] === undefined || fields[3] === undefined) throw new Error('no `postgres` user on this machine (install postgresql or create it)');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** Starts a long-running service detached from this process, output appended to its log file. */
export function spawnService(options: {
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: Record<string, string>;
  asPostgres?: boolean;
}): number {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...options.env },
    detached: true,
    stdio: ['ignore', fd, fd],
    ...(options.asPostgres === true ? postgresUid() : {}),
  });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
  return child.pid;
}

export async function readState(dir: string): Promise<ClusterState> {
  const file = path.join(dir, 'state.json');
  if (!existsSync(file)) return { processes: [] };
  return JSON.parse(await readFile(file, 'utf8')) as ClusterState;
}

export async function writeState(dir: string, state: ClusterState): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));
}
