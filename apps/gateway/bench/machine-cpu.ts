// Where ALL of the machine's CPU went during a round, per request, by component: every process in
// /proc grouped by what it is (the server under test, Postgres backends, Postgres's replication
// processes, HAProxy, etcd, Patroni, the kernel's threads, …) plus what /proc/stat counts as busy
// but no process holds (interrupts, processes that exited) and what the hypervisor took (steal).
// The per-target columns (server, Postgres, generator) say what one request cost its own
// processes; this says what it cost the machine — on two cores shared by a whole cluster, the
// budget a target's throughput is bounded by.
import { readdirSync, readFileSync } from 'node:fs';
import { readProcStatSync } from '@holdfast/process';

export interface MachineCpuReading {
  /** /proc/stat: user + nice + system + irq + softirq ticks, all cores. */
  busyTicks: number;
  stealTicks: number;
  /** Per process: its CPU ticks and its group. */
  processes: Map<number, { ticks: number; group: string }>;
}

/** µs per request: the machine's busy time, steal, and each group's share. */
export interface MachineCpu {
  busy: number;
  steal: number;
  groups: Record<string, number>;
}

function readSystemTicks(): { busyTicks: number; stealTicks: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busyTicks: user + nice + system + irq + softirq, stealTicks: steal };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** A process's group; `server` is the tree under test, `self` this load generator. */
export function groupOf(options: { pid: number; comm: string; ppid: number; cmdline: () => string; server: ReadonlySet<number>; self: number }): string {
  const { pid, comm } = options;
  if (pid === options.self) return 'load generator';
  if (options.server.has(pid)) return 'server under test';
  if (pid === 2 || options.ppid === 2) return 'kernel threads';
  if (comm === 'postgres') {
    // A Postgres process names its role in its command line ("postgres: pg1: walsender …").
    const line = options.cmdline();
    if (/: (walsender|walreceiver|startup|archiver)\b/.test(line)) return 'postgres replication';
    if (/: (checkpointer|background writer|walwriter|autovacuum|logical replication|logger|stats)/.test(line)) return 'postgres background';
    return 'postgres backends';
  }
  if (comm === 'haproxy' || comm === 'etcd') return comm;
  const line = options.cmdline();
  if (line.includes('patroni')) return 'patroni';
  if (comm === 'node' || comm.startsWith('node') || line.startsWith('node ') || line.includes('/node ')) return 'other node processes';
  return 'other';
}

/** Reads every process's CPU ticks and group (a group, once known for a pid and command, is kept). */
export function readMachineCpu(server: ReadonlySet<number>, known: Map<number, { comm: string; group: string }>): MachineCpuReading {
  const processes = new Map<number, { ticks: number; group: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const stat = readProcStatSync(pid);
    if (stat === null) continue; // exited between the listing and the read
    let cached = known.get(pid);
    if (cached === undefined || cached.comm !== stat.comm || server.has(pid) !== (cached.group === 'server under test')) {
      cached = { comm: stat.comm, group: groupOf({ pid, comm: stat.comm, ppid: stat.ppid, cmdline: () => commandLine(pid), server, self: process.pid }) };
      known.set(pid, cached);
    }
    processes.set(pid, { ticks: stat.cpuTicks, group: cached.group });
  }
  return { ...readSystemTicks(), processes };
}

/** µs of CPU per request between two readings, by group; `unattributed` is busy time no process holds. */
export function machineCpuPerRequest(before: MachineCpuReading, after: MachineCpuReading, requests: number, ticksPerSecond: number): MachineCpu | null {
  if (requests === 0) return null;
  const toMicros = (ticks: number): number => ((ticks / ticksPerSecond) * 1e6) / requests;
  const groups: Record<string, number> = {};
  let attributed = 0;
  for (const [pid, now] of after.processes) {
    const was = before.processes.get(pid);
    // A process that started in between counts whole; one reused pid of another kind too.
    const ticks = Math.max(0, now.ticks - (was !== undefined && was.group === now.group ? was.ticks : 0));
    if (ticks === 0) continue;
    attributed += ticks;
    groups[now.group] = (groups[now.group] ?? 0) + toMicros(ticks);
  }
  const busy = after.busyTicks - before.busyTicks;
  const unattributed = busy - attributed;
  if (unattributed > 0) groups['interrupts, exited processes'] = toMicros(unattributed);
  return { busy: toMicros(Math.max(busy, attributed)), steal: toMicros(after.stealTicks - before.stealTicks), groups };
}

/** "2480 = server under test 670 + postgres backends 660 + …; steal 0": groups of at least 2 % of the total, largest first. */
export function formatMachineCpu(cpu: MachineCpu): string {
  const shown = Object.entries(cpu.groups)
    .filter(([, us]) => us >= cpu.busy * 0.02)
    .sort((a, b) => b[1] - a[1]);
  const rest = cpu.busy - shown.reduce((sum, [, us]) => sum + us, 0);
  const parts = shown.map(([group, us]) => `${group} ${us.toFixed(0)}`);
  if (rest >= 1) parts.push(`rest ${rest.toFixed(0)}`);
  return `${cpu.busy.toFixed(0)} = ${parts.join(' + ')}; steal ${cpu.steal.toFixed(0)}`;
}
