// One reading of /proc/<pid>/stat (Linux), shared by the drills' CPU-by-group sampler
// (process-cpu.ts) and the bench's CPU per request (apps/gateway/bench); and of /proc/stat's totals.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Clock ticks per second for /proc's utime/stime: USER_HZ, 100 on every Linux this runs on. */
export const clockTicksPerSecond = 100;

export interface ProcessStat {
  /** The command name (in parentheses in the file; it may hold spaces and parentheses). */
  comm: string;
  /** One letter: R running, S sleeping, Z a zombie (exited, not yet collected by its parent), … */
  state: string;
  ppid: number;
  /** Its main thread's nice value (-20…19). */
  nice: number;
  /** CPU ticks so far, user + system, all threads. */
  cpuTicks: number;
}

/** Parses the text of /proc/<pid>/stat. */
export function parseProcStat(text: string): ProcessStat {
  // comm may hold spaces and ')': the fields after it start past the LAST ')'.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // After comm: state, ppid, … utime and stime are fields 14 and 15 of stat (11 and 12 here), nice 19 (16).
  return {
    comm: text.slice(text.indexOf('(') + 1, close),
    state: fields[0] ?? '',
    ppid: Number(fields[1]),
    nice: Number(fields[16]),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

/** The process's stat, or null when it is gone (it exited between a listing and the read) or there is no /proc. */
export function readProcStatSync(pid: number): ProcessStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** `readProcStatSync`, without blocking the event loop (a sampler that reads every process each second). */
export async function readProcStat(pid: number): Promise<ProcessStat | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The machine's CPU ticks so far, all cores, from the first line of /proc/stat. */
export interface SystemCpuTicks {
  /** user + nice + system + irq + softirq (guest time is inside user). */
  busy: number;
  /** idle + iowait. */
  idle: number;
  /** Taken by the hypervisor for other guests while this one wanted to run. */
  steal: number;
}

/** The machine's CPU ticks so far, or null where there is no /proc/stat (not Linux). */
export async function readSystemCpu(): Promise<SystemCpuTicks | null> {
  try {
    return parseSystemCpu(await readFile('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** Parses /proc/stat's text: `cpu  user nice system idle iowait irq softirq steal guest guest_nice`. */
export function parseSystemCpu(text: string): SystemCpuTicks {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (text.split('\n', 1)[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}
