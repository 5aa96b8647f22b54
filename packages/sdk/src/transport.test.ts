import { deadlineSignal } from '@holdfast/validators';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoldfastClient } from './client';
import { createTransport } from './transport';

/** A real HTTP server whose handler the test picks per path; counts the TCP connections it accepted. */
async function server(handler: http.RequestListener): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const s = http.createServer(handler);
  s.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        s.close(() => {
          resolve();
        });
      }),
  };
}

// Garbage collection on demand, as under load (Node 20's AbortSignal.timeout inside AbortSignal.any
// stopped firing once a collection ran: the per-try deadline must hold with collections running).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const apiKey = `hf_0123456789abcdef_${'A'.repeat(43)}`;

describe('[SDK_TRANSPORT] the SDK’s requests over node:http', () => {
  let peer: Awaited<ReturnType<typeof server>>;
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  beforeAll(async () => {
    peer = await server((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (req.url === '/never') return; // never answers
        if (req.url === '/cut') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"result":');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        }
        if (req.url === '/html') {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html>bad gateway</html>');
          return;
        }
        if (req.url === '/huge') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(Buffer.alloc(5 * 1024 * 1024, 0x20));
          return;
        }
        if (req.url === '/readyz') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'ready', region: 'region-1' }));
          return;
        }
        // A tRPC answer for any procedure: the preauth shape.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ result: { data: { result: 'enroll' } } }));
      });
    });
  });
  afterAll(async () => {
    await peer.close();
  });

  it('sends a tRPC call with its method, headers and JSON body, and reads the answer', async () => {
    const client = createHoldfastClient({ gateways: [peer.url], apiKey, probeIntervalMs: 0 });
    seen.length = 0;
    await client.verifyTotp({ userId: 'user-1', code: '123456', attemptId: '0190c3c4-1111-7000-8000-000000000001' });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/trpc/verify.totp');
    expect(request?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['content-length']).toBe(String(Buffer.byteLength(request?.body ?? '')));
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ userId: 'user-1', code: '123456', attemptId: '0190c3c4-1111-7000-8000-000000000001' });
  });

  it('50 calls at once raise no listener-leak warning (no shared signal collects their listeners)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    try {
      const client = createHoldfastClient({ gateways: [peer.url], apiKey, probeIntervalMs: 0 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => client.preauth({ userId: `u${i}` })));
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('keeps the connection alive: 50 calls one after another use one TCP connection', async () => {
    const client = createHoldfastClient({ gateways: [peer.url], apiKey, probeIntervalMs: 0 });
    const before = peer.connections();
    for (let i = 0; i < 50; i += 1) expect(await client.preauth({ userId: `u${i}` })).toEqual({ result: 'enroll' });
    expect(peer.connections() - before).toBe(1);
  });

  it('closes an idle connection itself, before the server’s keep-alive timeout would', async () => {
    // The server keeps idle connections 2 s and says so (Keep-Alive: timeout=2): the SDK must close
    // first (~1 s), so that no request is ever written to a connection the server is closing.
    let closedAfterMs = Number.POSITIVE_INFINITY;
    let answeredAt = 0;
    const s = http.createServer((_req, res) => {
      res.end('{}', () => {
        answeredAt = performance.now();
      });
    });
    s.keepAliveTimeout = 2_000;
    s.on('connection', (socket: Socket) => {
      socket.on('close', () => {
        closedAfterMs = performance.now() - answeredAt;
      });
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const response = await createTransport()(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`);
      expect(response.ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1_700));
      expect(closedAfterMs).toBeLessThan(1_700);
    } finally {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  it('a slow answer (a long poll) is not cut by the idle timeout', async () => {
    const s = await server((_req, res) => {
      setTimeout(() => res.end('{"ok":true}'), 4_500);
    });
    try {
      const started = performance.now();
      const response = await createTransport()(`${s.url}/`);
      expect(await response.json()).toEqual({ ok: true });
      expect(performance.now() - started).toBeGreaterThanOrEqual(4_400);
    } finally {
      await s.close();
    }
  });

  it('an abort ends a request that has no answer at once, garbage collection or not', async () => {
    const transport = createTransport();
    const started = performance.now();
    const pending = Array.from({ length: 20 }, async () => {
      const { signal, clear } = deadlineSignal(300);
      try {
        await transport(`${peer.url}/never`, { method: 'POST', body: '{}', signal });
        return 'answered';
      } catch (error) {
        return (error as Error).name;
      } finally {
        clear();
      }
    });
    const collecting = setInterval(gc, 20);
    const outcomes = await Promise.all(pending);
    clearInterval(collecting);
    expect(outcomes.every((o) => o === 'TimeoutError')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('an already aborted signal sends nothing', async () => {
    const transport = createTransport();
    const controller = new AbortController();
    controller.abort();
    const before = seen.length;
    await expect(transport(`${peer.url}/`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBe(before);
  });

  it('an answer cut off mid-body rejects (ECONNRESET), it does not resolve with half a body', async () => {
    await expect(createTransport()(`${peer.url}/cut`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('a non-JSON error page resolves, and its json() rejects (as fetch’s does)', async () => {
    const response = await createTransport()(`${peer.url}/html`);
    expect(response.ok).toBe(false);
    expect(response.status).toBe(502);
    await expect(response.json()).rejects.toBeInstanceOf(SyntaxError);
  });

  it('an answer far larger than any gateway’s is refused', async () => {
    await expect(createTransport()(`${peer.url}/huge`)).rejects.toThrow(/larger than/);
  });

  it('connection refused keeps its code in the error (the failover loop reads it)', async () => {
    const closed = await server(() => undefined);
    const url = closed.url;
    await closed.close();
    await expect(createTransport()(`${url}/readyz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
