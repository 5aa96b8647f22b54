// Starting, tracking and stopping the cluster's processes — always by PID, never by name.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { childPath } from './env';

/** `placement`: the region's etcd-leader keeper (bin/etcd-placement.ts). */
export type ProcessKind = 'etcd' | 'patroni' | 'haproxy' | 'placement' | 'gateway';

export interface ProcessRecord {
  name: string;
  kind: ProcessKind;
  region: string;
  pid: number;
  /**
   * The process's start time (`/proc/PID/stat` field 22, clock ticks since boot) when we started it:
   * a PID alone may name another process after a reboot or once PIDs wrap; the pair does not.
   * Null when the process was gone before it could be read (or in a state file from before this).
   */
  startTime: number | null;
  port: number;
  logFile: string;
}

export interface ClusterState {
  processes: ProcessRecord[];
}

/**
 * The fields of `/proc/PID/stat` from field 3 (state) on, or null when there is no such process.
 * The command name (field 2) is in parentheses and may itself hold spaces and parentheses, so the
 * fields start after the last `)`: field N is at index N - 3.
 */
function statFields(pid: number, procDir: string): string[] | null {
  try {
    const stat = readFileSync(path.join(procDir, String(pid), 'stat'), 'utf8');
    return stat
      .slice(stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
  } catch {
    return null;
  }
}

/** A PID names a live process only if /proc says so and it is not a zombie (PID 1 here may reap late). */
export function isAlive(pid: number, procDir = '/proc'): boolean {
  const state = statFields(pid, procDir)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** When the process started (`/proc/PID/stat` field 22, clock ticks since boot); null if there is none. */
export function processStartTime(pid: number, procDir = '/proc'): number | null {
  const field = statFields(pid, procDir)?.[22 - 3];
  return field === undefined || !/^\d+$/.test(field) ? null : Number(field);
}

/**
 * Whether a recorded process is still the one we started: `ours` (alive, same start time), `gone`
 * (no live process with that PID), or `not-ours` (the PID now names another process, or the record
 * has no start time to tell). Only `ours` may be signalled.
 */
export function checkRecordedProcess(record: Pick<ProcessRecord, 'pid' | 'startTime'>, procDir = '/proc'): 'ours' | 'gone' | 'not-ours' {
  if (!isAlive(record.pid, procDir)) return 'gone';
  // A record from before start times were kept (`startTime` absent) cannot be trusted either.
  const recorded = (record as { startTime?: number | null }).startTime ?? null;
  return recorded !== null && processStartTime(record.pid, procDir) === recorded ? 'ours' : 'not-ours';
}

/** True when the record's process is alive and still ours. */
export function isOurs(record: Pick<ProcessRecord, 'pid' | 'startTime'>): boolean {
  return checkRecordedProcess(record) === 'ours';
}

/** Says why a recorded PID is left alone (it names a process we did not start). */
export function describeNotOurs(record: Pick<ProcessRecord, 'name' | 'pid' | 'startTime'>): string {
  return `not signalling ${record.name}: pid ${record.pid} is alive but its start time differs from the recorded one (${String(record.startTime)}), so it is not the process we started`;
}

/** Direct children of a process (Patroni's postmaster, a postmaster's backends). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // null: the process ended while we looked
    const fields = statFields(Number(entry), '/proc');
    if (fields !== null && Number(fields[1]) === pid) children.push(Number(entry));
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
    const rest = tree.filter((p) => isAlive(p));
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

/**
 * The postmaster of a data directory, from its postmaster.pid — only while that PID still runs a
 * postgres with this `-D`: a crashed node leaves its postmaster.pid behind, and its PID may since
 * name another process, which must never be signalled.
 */
export function postmasterPid(dataDir: string, procDir = '/proc'): number | null {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid, procDir) && isPostmasterOf(pid, dataDir, procDir) ? pid : null;
}

/** Whether a process runs with `-D <dataDir>` (its command line, from /proc). */
export function isPostmasterOf(pid: number, dataDir: string, procDir = '/proc'): boolean {
  try {
    const argv = readFileSync(path.join(procDir, String(pid), 'cmdline'), 'utf8').split('\0');
    const flag = argv.indexOf('-D');
    return flag >= 0 && path.resolve(argv[flag + 1] ?? '') === path.resolve(dataDir);
  } catch {
    return false;
  }
}

export function postgresUid(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const fields = line?.split(':');
  if (fields?.[2] === undefined || fields[3] === undefined) throw new Error('no `postgres` user on this machine (install postgresql or create it)');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** Starts a long-running service detached from this process, output appended to its log file; its PID and start time. */
export function spawnService(options: {
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: Record<string, string>;
  asPostgres?: boolean;
  /** netns mode: the region's network namespace (`ip netns exec` and `setpriv` exec, so the PID is the service's own). */
  namespace?: string | null;
}): {
  pid: number;
  startTime: number | null;
} {
  const fd = openSync(options.logFile, 'a');
  const inNamespace = options.namespace !== undefined && options.namespace !== null;
  // Entering a namespace needs root, so the switch to the postgres user comes after it (setpriv).
  const [command, args] = inNamespace
    ? [
        'ip',
        [
          'netns',
          'exec',
          options.namespace ?? '',
          ...(options.asPostgres === true ? ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups'] : []),
          options.command,
          ...options.args,
        ],
      ]
    : [options.command, options.args];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { PATH: childPath(), LANG: 'C.UTF-8', ...options.env },
    detached: true,
    stdio: ['ignore', fd, fd],
    ...(options.asPostgres === true && !inNamespace ? postgresUid() : {}),
  });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
  return { pid: child.pid, startTime: processStartTime(child.pid) };
}

export async function readState(dir: string): Promise<ClusterState> {
  const file = path.join(dir, 'state.json');
  if (!existsSync(file)) return { processes: [] };
  return JSON.parse(await readFile(file, 'utf8')) as ClusterState;
}

/**
 * Replaces state.json whole or not at all: written to a temporary file in the same directory,
 * flushed to disk, then renamed over the old one (rename is atomic within a file system). An
 * interrupted write leaves the previous state readable, never half a file.
 */
export async function writeState(dir: string, state: ClusterState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'state.json');
  // Unique per write, so two writers never share (and rename away) one temporary file.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const text = JSON.stringify(state, null, 2);
    const handle = await open(temporary, 'w', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
