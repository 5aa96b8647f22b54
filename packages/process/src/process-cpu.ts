// CPU by process group: when the machine is at ~100 % CPU, this names who took it — the primary's
// backends, a replica's WAL apply, Patroni, etcd, HAProxy, the gateways, the kernel's threads, or
// whoever sampled. Used second by second by the drills' soak (issue 14) and per round by the bench's
// whole-machine CPU per request (issue 9). Read from /proc (Linux only; elsewhere empty).
import { readdir, readFile } from 'node:fs/promises';
import { clockTicksPerSecond, readProcStat, type ProcessStat } from './proc-stat';

/**
 * The group a process's CPU is counted in, from its command line (and its parent's). Postgres
 * renames its children (`postgres: holdfast: walsender …`, `postgres: holdfast: holdfast_gateway
 * holdfast 198.18.0.12(51234) idle`) with the cluster's name, which every node shares (a server with
 * no cluster_name, as the embedded one, leaves that part out), so the node comes from the parent
 * postmaster's data directory (`-D …/pg1/data`): the primary's backends and a replica's WAL apply
 * are told apart. Client backends are grouped by their user.
 */
export function processGroup(cmdline: string, comm: string, parentCmdline = ''): string {
  const child = /^postgres: (?:[^:\s]+: )?(.*)$/.exec(cmdline);
  if (child !== null) {
    const node = postgresNode(parentCmdline) ?? 'postgres';
    const rest = child[1] ?? '';
    const aux =
      /^(checkpointer|background writer|walwriter|autovacuum launcher|autovacuum worker|logical replication launcher|archiver|startup|walreceiver|walsender|logger)/.exec(
        rest,
      );
    return aux !== null ? `${node} ${aux[1] ?? ''}` : `${node} backend ${rest.split(' ')[0] ?? ''}`.trim();
  }
  const postmaster = postgresNode(cmdline);
  if (postmaster !== null) return `${postmaster} postmaster`;
  const patroni = /patroni\s+\S*?([^/\s]+)\/patroni\.ya?ml/.exec(cmdline);
  if (patroni !== null) return `${patroni[1] ?? ''} patroni`;
  if (/(^|\/)patroni(\s|$)/.test(cmdline)) return 'patroni';
  const etcd = /(^|\/)etcd\s.*--name[ =](\S+)/.exec(cmdline);
  if (etcd !== null) return etcd[2] ?? 'etcd';
  if (/(^|\/)haproxy(\s|$)/.test(cmdline)) return 'haproxy';
  if (/etcd-placement/.test(cmdline)) return 'etcd placement';
  if (/(^|\s|\/)dist\/main\.js(\s|$)/.test(cmdline)) return 'gateway';
  return comm || 'other';
}

/** `pg1` for a postmaster started with `-D …/pg1/data`; null for anything else. */
function postgresNode(cmdline: string): string | null {
  if (!/(^|\/)postgres\s/.test(cmdline)) return null;
  return /\s-D\s+\S*?([^/\s]+)\/data(\s|\/?$)/.exec(cmdline)?.[1] ?? 'postgres';
}

async function readCmdline(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/**
 * Samples every process's CPU ticks; each call after the first returns the cores each group used
 * since the call before (a process new in between counts from its start: its whole life fell in
 * the window). `nameOf` names processes the caller knows (the drill itself, a server under test)
 * before their command lines are read; the kernel's own threads are one group.
 */
export function createProcessCpuSampler(nameOf: (pid: number) => string | undefined = (pid) => (pid === process.pid ? 'drill' : undefined)): {
  sample: () => Promise<Map<string, number>>;
} {
  const groups = new Map<number, string>();
  const cmdlines = new Map<number, string>();
  let last = new Map<number, number>();
  let lastAt: number | null = null;
  return {
    sample: async () => {
      let pids: number[];
      try {
        pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
      } catch {
        return new Map(); // no /proc: not Linux
      }
      const at = performance.now();
      const stats = new Map<number, ProcessStat>();
      await Promise.all(
        pids.map(async (pid) => {
          const stat = await readProcStat(pid);
          if (stat === null) return;
          stats.set(pid, stat);
          if (!groups.has(pid) && !cmdlines.has(pid) && nameOf(pid) === undefined) cmdlines.set(pid, await readCmdline(pid));
        }),
      );
      // A pid that is gone may come back as another process: forget what it was.
      for (const pid of [...groups.keys(), ...cmdlines.keys()]) {
        if (!stats.has(pid)) {
          groups.delete(pid);
          cmdlines.delete(pid);
        }
      }
      const used = new Map<string, number>();
      const now = new Map<number, number>();
      for (const [pid, stat] of stats) {
        let group = nameOf(pid) ?? groups.get(pid);
        if (group === undefined) {
          group = pid === 2 || stat.ppid === 2 ? 'kernel threads' : processGroup(cmdlines.get(pid) ?? '', stat.comm, cmdlines.get(stat.ppid) ?? '');
          groups.set(pid, group);
        }
        now.set(pid, stat.cpuTicks);
        const delta = stat.cpuTicks - (last.get(pid) ?? 0);
        if (lastAt !== null && delta > 0) used.set(group, (used.get(group) ?? 0) + delta);
      }
      const seconds = lastAt === null ? 0 : (at - lastAt) / 1000;
      last = now;
      lastAt = at;
      const cores = new Map<string, number>();
      if (seconds > 0) for (const [group, ticks] of used) cores.set(group, ticks / clockTicksPerSecond / seconds);
      return cores;
    },
  };
}

/** The `count` groups that used the most CPU, busiest first, in cores rounded to hundredths. */
export function topGroups(cores: ReadonlyMap<string, number>, count: number): { group: string; cores: number }[] {
  return [...cores]
    .map(([group, used]) => ({ group, cores: Math.round(used * 100) / 100 }))
    .filter((g) => g.cores > 0)
    .sort((a, b) => b.cores - a.cores || a.group.localeCompare(b.group))
    .slice(0, count);
}
