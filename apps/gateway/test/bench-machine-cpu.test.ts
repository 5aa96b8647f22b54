// The bench's whole-machine CPU reading: processes told apart by what they are, per-request sums
// that count a process started mid-round whole and a reused pid afresh, and a real read of /proc.
import { describe, expect, it } from 'vitest';
import { groupOf, machineCpuPerRequest, readMachineCpu, type MachineCpuReading } from '../bench/machine-cpu';

const group = (comm: string, cmdline: string, extra: { pid?: number; ppid?: number; server?: number[] } = {}): string =>
  groupOf({ pid: extra.pid ?? 100, comm, ppid: extra.ppid ?? 1, cmdline: () => cmdline, server: new Set(extra.server ?? []), self: 1 });

describe('bench machine CPU', () => {
  it('groups processes by role', () => {
    expect(group('node', 'node dist/main.js', { server: [100] })).toBe('server under test');
    expect(group('node', 'node bench.ts', { pid: 1 })).toBe('load generator');
    expect(group('postgres', 'postgres: pg1: holdfast_gateway holdfast 127.0.0.1(5432) idle')).toBe('postgres backends');
    expect(group('postgres', 'postgres: pg2: walreceiver streaming 0/3000')).toBe('postgres replication');
    expect(group('postgres', 'postgres: pg1: walsender replicator 127.0.0.1(40000) streaming 0/3000')).toBe('postgres replication');
    expect(group('postgres', 'postgres: pg2: startup recovering 000000010000000000000003')).toBe('postgres replication');
    expect(group('postgres', 'postgres: pg1: checkpointer')).toBe('postgres background');
    expect(group('haproxy', '/usr/sbin/haproxy -f x.cfg')).toBe('haproxy');
    expect(group('etcd', 'etcd --name e1')).toBe('etcd');
    expect(group('python3', '/usr/bin/python3 /usr/bin/patroni pg1.yml')).toBe('patroni');
    expect(group('kworker/0:1', '', { ppid: 2 })).toBe('kernel threads');
    expect(group('node', '/usr/bin/node dist/main.js')).toBe('other node processes');
    expect(group('sshd', '/usr/sbin/sshd')).toBe('other');
  });

  it('sums per request: growth, new processes whole, a reused pid afresh, unattributed busy time', () => {
    const reading = (busyTicks: number, processes: [number, number, string][]): MachineCpuReading => ({
      busyTicks,
      stealTicks: busyTicks / 100,
      processes: new Map(processes.map(([pid, ticks, g]) => [pid, { ticks, group: g }])),
    });
    const before = reading(1000, [
      [10, 100, 'server under test'],
      [11, 50, 'postgres backends'],
      [12, 70, 'haproxy'],
    ]);
    const after = reading(1200, [
      [10, 180, 'server under test'],
      [11, 90, 'postgres backends'],
      [12, 30, 'etcd'], // pid 12 was reused by another kind of process: all of its 30 ticks count
      [13, 20, 'postgres backends'], // started in between
    ]);
    // 100 ticks per second, 1,000 requests: one tick is 10 µs a request.
    const cpu = machineCpuPerRequest(before, after, 1000, 100);
    expect(cpu).toEqual({
      busy: 2000,
      steal: 20,
      groups: { 'server under test': 800, 'postgres backends': 600, etcd: 300, 'interrupts, exited processes': 300 },
    });
    expect(machineCpuPerRequest(before, after, 0, 100)).toBeNull();
  });

  it('reads this machine: this process is the load generator, and the busy time is real', () => {
    const known = new Map<number, { comm: string; group: string }>();
    const before = readMachineCpu(new Set(), known);
    const end = Date.now() + 60;
    while (Date.now() < end); // burn CPU here so the reading has something to count
    const after = readMachineCpu(new Set(), known);
    expect(after.processes.get(process.pid)?.group).toBe('load generator');
    expect(after.busyTicks).toBeGreaterThan(before.busyTicks);
    expect((after.processes.get(process.pid)?.ticks ?? 0) - (before.processes.get(process.pid)?.ticks ?? 0)).toBeGreaterThan(0);
  });
});
