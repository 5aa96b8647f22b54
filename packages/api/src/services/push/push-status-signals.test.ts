import { describe, expect, it } from 'vitest';
import { PushStatusSignals } from './push-status-signals';

const elapsed = async (run: () => Promise<void>): Promise<number> => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

describe('PushStatusSignals (wakes push long-polls on NOTIFY holdfast_push)', () => {
  it('a notification for the armed transaction wakes its waiter at once; others keep waiting', async () => {
    const signals = new PushStatusSignals();
    const mine = signals.arm('tx-1');
    const other = signals.arm('tx-2');
    setTimeout(() => {
      signals.notify('tx-1');
    }, 20);
    expect(await elapsed(() => mine.wait(5_000, undefined))).toBeLessThan(1_000);
    expect(await elapsed(() => other.wait(60, undefined))).toBeGreaterThanOrEqual(50);
  });

  it('a notification that came between arming and waiting is not lost', async () => {
    const signals = new PushStatusSignals();
    const armed = signals.arm('tx-1');
    signals.notify('tx-1'); // e.g. while the caller re-read the row
    expect(await elapsed(() => armed.wait(5_000, undefined))).toBeLessThan(1_000);
  });

  it('the listener going down wakes every waiter (they fall back to re-reading)', async () => {
    const signals = new PushStatusSignals();
    signals.setListening(true);
    const armed = signals.arm('tx-1');
    setTimeout(() => {
      signals.setListening(false);
    }, 20);
    expect(await elapsed(() => armed.wait(5_000, undefined))).toBeLessThan(1_000);
    expect(signals.isListening).toBe(false);
  });

  it('an aborted caller stops waiting, and cancelled or finished waiters are forgotten', async () => {
    const signals = new PushStatusSignals();
    const controller = new AbortController();
    const armed = signals.arm('tx-1');
    setTimeout(() => {
      controller.abort();
    }, 20);
    expect(await elapsed(() => armed.wait(5_000, controller.signal))).toBeLessThan(1_000);
    signals.arm('tx-2').cancel();
    // Nothing is left to wake: a later notification is a no-op.
    expect(() => {
      signals.notify('tx-1');
      signals.notify('tx-2');
    }).not.toThrow();
  });
});
