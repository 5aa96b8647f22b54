import { armNotifyWaiter } from '../../cache/notify-waiter';

/**
 * Wakes a gateway's live audit streams when a checkpoint is sealed anywhere (issue 12): the
 * `audit_checkpoints_notify` trigger NOTIFYs `holdfast_audit` with the new tree size, and the
 * gateway's listener connection (cache/cache-listener.ts) passes it here. A notification is a hint
 * to read again, never data: a stream re-reads the sealed leaves (the rows are the truth). While
 * the listener is down `isListening` is false and streams re-read on a short timer, so a lost
 * notification costs latency, never a missed or repeated event.
 *
 * One set of waiters for the whole process: every seal may concern every stream (each filters by
 * its own application when it reads).
 */
export class AuditStreamSignals {
  private readonly waiters = new Set<() => void>();
  private listening = false;
  private treeSize = 0;

  get isListening(): boolean {
    return this.listening;
  }

  /** The largest tree size a notification announced (0: none yet). */
  get latestTreeSize(): number {
    return this.treeSize;
  }

  /** Streams waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Told by the listener; going down wakes every waiter so each falls back to timed re-reads. */
  setListening(isListening: boolean): void {
    this.listening = isListening;
    if (!isListening) this.wakeAll();
  }

  /** A `holdfast_audit` payload: the new tree size (anything else still wakes: it is only a hint). */
  notify(payload: string): void {
    const size = Number(payload);
    if (Number.isSafeInteger(size) && size > this.treeSize) this.treeSize = size;
    this.wakeAll();
  }

  private wakeAll(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiting) wake();
  }

  /**
   * Starts listening BEFORE the caller reads (so a seal between that read and the wait is not
   * missed); `wait` then resolves on a notification, after `ms`, or when `signal` aborts,
   * whichever is first.
   */
  arm(): { wait: (ms: number, signal: AbortSignal | undefined) => Promise<void>; cancel: () => void } {
    return armNotifyWaiter({
      register: (wake) => this.waiters.add(wake),
      unregister: (wake) => this.waiters.delete(wake),
    });
  }
}
