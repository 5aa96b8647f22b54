import { describe, expect, it } from 'vitest';
import { parseProcStat, readProcStatSync } from './proc-stat';

describe('parseProcStat', () => {
  it('reads comm, ppid and utime + stime, whatever the command name holds', () => {
    // Fields as the kernel writes them; comm with a space and a ')' of its own.
    const text = '4242 (node (w) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0 12345 1000000 5000';
    expect(parseProcStat(text)).toEqual({ comm: 'node (w) x', state: 'S', ppid: 17, nice: 0, cpuTicks: 325 });
    expect(parseProcStat('7 (bg) Z 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 30 10 1 0 1 0 0').nice).toBe(10);
  });

  it('reads this process from /proc, and null for a pid that does not exist', () => {
    const own = readProcStatSync(process.pid);
    expect(own?.ppid).toBe(process.ppid);
    expect(own?.cpuTicks).toBeGreaterThanOrEqual(0);
    expect(own?.state).toBe('R');
    expect(readProcStatSync(2 ** 22 + 1)).toBeNull();
  });
});
