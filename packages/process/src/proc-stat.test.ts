import { describe, expect, it } from 'vitest';
import { parseProcStat, readProcStatSync } from './proc-stat';

describe('parseProcStat', () => {
  it('reads comm, ppid and utime + stime, whatever the command name holds', () => {
    // Fields as the kernel writes them; comm with a space and a ')' of its own.
    const text = '4242 (node (w) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 11 0 12345 1000000 5000';
    expect(parseProcStat(text)).toEqual({ comm: 'node (w) x', ppid: 17, cpuTicks: 325 });
  });

  it('reads this process from /proc, and null for a pid that does not exist', () => {
    const own = readProcStatSync(process.pid);
    expect(own?.ppid).toBe(process.ppid);
    expect(own?.cpuTicks).toBeGreaterThanOrEqual(0);
    expect(readProcStatSync(2 ** 22 + 1)).toBeNull();
  });
});
