import { armNotifyWaiter } from '../../cache/notify-waiter';

/**
 * Wakes a gateway's push long-polls when a transaction's status changes anywhere: the
 * `push_transactions_notify_status` trigger NOTIFYs `holdfast_push` with the transaction id, and
 * the gateway's listener connection (cache/cache-listener.ts) passes it here. A notification is a
 * hint to read again, never a status: the waiter re-reads the row (the decision may come from any
 * gateway; the row is the truth). While the listener is down, `isListening` is false and waiters
 * fall back to short re-reads, so a lost notification costs latency, never a wrong answer.
 */
export class PushStatusSignals {
  private readonly waiters = new Map<string, Set<() => void>>();
  private listening = false;

  get isListening(): boolean {
    return this.listening;
  }

  /** Told by the listener; going down wakes every waiter so each falls back to re-reading. */
  setListening(isListening: boolean): void {
    this.listening = isListening;
    if (!isListening) for (const id of [...this.waiters.keys()]) this.notify(id);
  }

  notify(transactionId: string): void {
    const waiting = this.waiters.get(transactionId);
    if (waiting === undefined) return;
    this.waiters.delete(transactionId);
    for (const wake of waiting) wake();
  }

  /**
   * Starts listening for `transactionId` BEFORE the caller re-reads the row (so a change between
   * that read and the wait is not missed); `wait` then resolves on a notification, after `ms`, or
   * when `signal` aborts, whichever is first.
   */
  arm(transactionId: string): { wait: (ms: number, signal: AbortSignal | undefined) => Promise<void>; cancel: () => void } {
    return armNotifyWaiter({
      register: (wake) => {
        const waiting = this.waiters.get(transactionId) ?? new Set<() => void>();
        waiting.add(wake);
        this.waiters.set(transactionId, waiting);
      },
      unregister: (wake) => {
        const current = this.waiters.get(transactionId);
        current?.delete(wake);
        if (current?.size === 0) this.waiters.delete(transactionId);
      },
    });
  }
}
