import { describe, expect, it } from 'vitest';
import { AuditStreamReads } from './audit-stream';
import { AuditStreamSignals } from './audit-stream-signals';

describe('AuditStreamSignals', () => {
  it('a seal notified after arming (even before the wait starts) wakes the wait at once', async () => {
    const signals = new AuditStreamSignals();
    signals.setListening(true);
    const armed = signals.arm();
    signals.notify('12');
    const started = Date.now();
    await armed.wait(5_000, undefined);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(signals.latestTreeSize).toBe(12);
    expect(signals.waiting).toBe(0);
  });

  it('wakes every waiter on a notification and when the listener goes down; times out otherwise', async () => {
    const signals = new AuditStreamSignals();
    signals.setListening(true);
    const waits = [signals.arm(), signals.arm()].map((armed) => armed.wait(5_000, undefined));
    expect(signals.waiting).toBe(2);
    signals.notify('not a number');
    await Promise.all(waits);
    expect(signals.latestTreeSize).toBe(0);
    const down = signals.arm().wait(5_000, undefined);
    signals.setListening(false);
    await down;
    expect(signals.isListening).toBe(false);
    const started = Date.now();
    await signals.arm().wait(30, undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(signals.waiting).toBe(0);
  });

  it('an abort ends the wait and unregisters it', async () => {
    const signals = new AuditStreamSignals();
    const abort = new AbortController();
    const wait = signals.arm().wait(5_000, abort.signal);
    abort.abort();
    await wait;
    expect(signals.waiting).toBe(0);
  });
});

describe('AuditStreamReads', () => {
  it('runs at most `max` reads at once; a reader that gave up leaves the queue', async () => {
    const reads = new AuditStreamReads(2);
    let running = 0;
    let most = 0;
    const read = async (): Promise<number> => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 10));
      running -= 1;
      return 1;
    };
    const gone = new AbortController();
    const all = Array.from({ length: 6 }, () => reads.run(read));
    const abandoned = reads.run(read, gone.signal);
    gone.abort();
    await expect(abandoned).rejects.toThrow('audit stream closed');
    expect(await Promise.all(all)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(most).toBe(2);
    // The permits came back: a later read runs at once.
    expect(await reads.run(() => Promise.resolve(2))).toBe(2);
  });
});
