/**
 * One waiter on a NOTIFY-fed wake-up (push status, audit stream signals): registered BEFORE the
 * caller reads, so a notification between that read and the wait is not missed; `wait` then
 * resolves on the wake, after `ms`, or when `signal` aborts, whichever is first. The caller keeps
 * its own set of waiters: `register` adds `wake` to it, `unregister` takes it out again.
 */
export function armNotifyWaiter(options: { register: (wake: () => void) => void; unregister: (wake: () => void) => void }): {
  wait: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  cancel: () => void;
} {
  let isWoken = false;
  let wakeWaiter: (() => void) | null = null;
  const wake = (): void => {
    isWoken = true;
    wakeWaiter?.();
  };
  options.register(wake);
  const cancel = (): void => {
    options.unregister(wake);
  };
  const wait = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
    new Promise<void>((resolve) => {
      if (isWoken || signal?.aborted === true) {
        cancel();
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        cancel();
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeWaiter = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  return { wait, cancel };
}
