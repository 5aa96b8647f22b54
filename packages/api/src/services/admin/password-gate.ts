import { HoldfastError } from '@holdfast/core';

/**
 * Each admin password check is one scrypt derivation of 128 MiB (core admin/password.ts). A
 * sign-in flood must not turn into gigabytes: at most `maxRunning` derivations at once per
 * process; up to `maxWaiting` more wait (at most `maxWaitMs`), the rest are refused at once with
 * 503 GATEWAY_OVERLOADED, which the console and SDK treat as "try another gateway / later".
 */
export function createPasswordGate(options: { maxRunning: number; maxWaiting: number; maxWaitMs: number }) {
  let running = 0;
  const waiting: Array<{ start: () => void; timer: ReturnType<typeof setTimeout> }> = [];

  function release(): void {
    const next = waiting.shift();
    if (next === undefined) {
      running -= 1;
      return;
    }
    clearTimeout(next.timer);
    next.start();
  }

  const overloaded = (): HoldfastError => {
    const error = new HoldfastError('GATEWAY_OVERLOADED', 'too many sign-ins at once; try again in a moment', { retryAfterMs: 1000 });
    return error;
  };

  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running >= options.maxRunning) {
        if (waiting.length >= options.maxWaiting) throw overloaded();
        await new Promise<void>((resolve, reject) => {
          const entry = {
            start: resolve,
            timer: setTimeout(() => {
              const index = waiting.indexOf(entry);
              if (index >= 0) waiting.splice(index, 1);
              reject(overloaded());
            }, options.maxWaitMs),
          };
          waiting.push(entry);
        });
        // The slot was handed over by release(): `running` already counts us.
      } else {
        running += 1;
      }
      try {
        return await work();
      } finally {
        release();
      }
    },
    stats: (): { running: number; waiting: number } => ({ running, waiting: waiting.length }),
  };
}

/** The process's gate: 2 derivations (256 MiB) at once, 16 waiting up to 3 s. */
export const adminPasswordGate = createPasswordGate({ maxRunning: 2, maxWaiting: 16, maxWaitMs: 3000 });
