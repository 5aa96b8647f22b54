import { HoldfastError } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import { createPasswordGate } from './password-gate';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('admin password gate: at most 2 scrypt derivations at once per process', () => {
  it('runs 2 at once, queues a few, refuses the rest with GATEWAY_OVERLOADED', async () => {
    const gate = createPasswordGate({ maxRunning: 2, maxWaiting: 1, maxWaitMs: 1000 });
    let running = 0;
    let peak = 0;
    const work = async (): Promise<string> => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(50);
      running -= 1;
      return 'done';
    };
    const results = await Promise.allSettled([gate.run(work), gate.run(work), gate.run(work), gate.run(work)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const refused = results[3];
    expect(refused.status === 'rejected' && refused.reason instanceof HoldfastError && refused.reason.code).toBe('GATEWAY_OVERLOADED');
    expect(peak).toBe(2);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('a waiter gives up after maxWaitMs; a failing derivation frees its slot', async () => {
    const gate = createPasswordGate({ maxRunning: 1, maxWaiting: 4, maxWaitMs: 30 });
    const slow = gate.run(() => sleep(100));
    await expect(gate.run(() => Promise.resolve(1))).rejects.toMatchObject({ code: 'GATEWAY_OVERLOADED' });
    await slow;
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve(2))).toBe(2);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });
});
