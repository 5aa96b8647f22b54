import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlineSignal } from './abort';

// Garbage collection on demand, as under load (the bug needs a collection between start and timeout).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('[DEADLINE_SIGNAL] a per-try timeout that survives garbage collection', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer(() => undefined); // accepts, never answers: a gateway waiting for nothing
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('aborts every pending fetch at its timeout while collections run (AbortSignal.any + AbortSignal.timeout aborted none)', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const gcLoop = setInterval(gc, 20);
    try {
      const ended = await Promise.all(
        Array.from({ length: 30 }, async () => {
          const { signal, clear } = deadlineSignal(300, stop.signal);
          try {
            await fetch(url, { signal });
            return Number.POSITIVE_INFINITY;
          } catch {
            return Date.now() - started;
          } finally {
            clear();
          }
        }),
      );
      expect(Math.max(...ended)).toBeLessThan(2_000);
    } finally {
      clearInterval(gcLoop);
    }
  });

  it('follows its parents: an aborted parent aborts it at once, with the parent reason', () => {
    const parent = new AbortController();
    const { signal, clear } = deadlineSignal(60_000, undefined, parent.signal);
    expect(signal.aborted).toBe(false);
    parent.abort(new Error('stopped'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('stopped');
    clear();
    const already = deadlineSignal(60_000, parent.signal);
    expect(already.signal.aborted).toBe(true);
    already.clear();
  });
});
