// Where ALL of the machine's CPU went during a round, per request: every process in /proc by group
// (@holdfast/process's sampler, the one the drills' soak uses: each Postgres node's backends and
// replication processes, Patroni, etcd, HAProxy, the kernel's threads…, with the server under test
// and this load generator named), plus busy time no process holds (interrupts, processes that
// exited) and what the hypervisor took (steal). The per-target columns (server, Postgres,
// generator) say what a request cost its own processes; this says what it cost the machine — on
// two cores shared by a whole cluster, the budget a target's throughput is bounded by.
import { clockTicksPerSecond, createProcessCpuSampler, readSystemCpu, type SystemCpuTicks } from '@holdfast/process';

/** µs per request: the machine's busy time, steal, and each group's share. */
export interface MachineCpu {
  busy: number;
  steal: number;
  groups: Record<string, number>;
}

/**
 * One sampler for the whole run: `start()` before a round, `stop(requests)` after it. `server` is
 * the process tree under test at the round's start (null for the floors).
 */
export function createMachineCpuMeter(): {
  start: (server: ReadonlySet<number>) => Promise<void>;
  stop: (requests: number) => Promise<MachineCpu | null>;
} {
  let server: ReadonlySet<number> = new Set();
  const sampler = createProcessCpuSampler((pid) => (pid === process.pid ? 'load generator' : server.has(pid) ? 'server under test' : undefined));
  let startedAt = 0;
  let systemBefore: SystemCpuTicks | null = null;
  return {
    start: async (tree) => {
      server = tree;
      await sampler.sample();
      startedAt = performance.now();
      systemBefore = await readSystemCpu();
    },
    stop: async (requests) => {
      const systemAfter = await readSystemCpu();
      const seconds = (performance.now() - startedAt) / 1000;
      const cores = await sampler.sample();
      if (requests === 0 || seconds <= 0 || systemBefore === null || systemAfter === null) return null;
      const perRequest = (coreSeconds: number): number => (coreSeconds * 1e6) / requests;
      const groups: Record<string, number> = {};
      let attributed = 0;
      for (const [group, used] of cores) {
        groups[group] = perRequest(used * seconds);
        attributed += used * seconds;
      }
      const busy = (systemAfter.busy - systemBefore.busy) / clockTicksPerSecond;
      if (busy > attributed) groups['interrupts, exited processes'] = perRequest(busy - attributed);
      return { busy: perRequest(Math.max(busy, attributed)), steal: perRequest((systemAfter.steal - systemBefore.steal) / clockTicksPerSecond), groups };
    },
  };
}

/** "2480 = server under test 670 + pg1 backend holdfast_gateway 660 + …; steal 0": groups of at least 2 % of the total, largest first. */
export function formatMachineCpu(cpu: MachineCpu): string {
  const shown = Object.entries(cpu.groups)
    .filter(([, us]) => us >= cpu.busy * 0.02)
    .sort((a, b) => b[1] - a[1]);
  const rest = cpu.busy - shown.reduce((sum, [, us]) => sum + us, 0);
  const parts = shown.map(([group, us]) => `${group} ${us.toFixed(0)}`);
  if (rest >= 1) parts.push(`rest ${rest.toFixed(0)}`);
  return `${cpu.busy.toFixed(0)} = ${parts.join(' + ')}; steal ${cpu.steal.toFixed(0)}`;
}
