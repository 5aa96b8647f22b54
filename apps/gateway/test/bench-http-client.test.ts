// The bench's raw-socket HTTP client against real `node:http` servers: the framings a server can
// answer with, keep-alive reuse, the connection cap, timeouts and a server that drops connections.
// A client that misframed an answer would misattribute every later answer on its connection.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLost, createHttpClient, parseChunked, parseHead, RequestTimeout } from '../bench/http-client';

const servers: http.Server[] = [];

async function serve(
  handler: (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>,
): Promise<{ origin: string; server: http.Server; sockets: Set<unknown> }> {
  const server = http.createServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      response.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const sockets = new Set<unknown>();
  server.on('connection', (socket) => sockets.add(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sockets };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('bench http client', () => {
  it('sends method, path, headers and a UTF-8 body; reads status, body and Retry-After over one kept-alive connection', async () => {
    const seen: { method?: string; url?: string; type?: string; auth?: string; length?: string; body: string }[] = [];
    const { origin, sockets } = await serve(async (request, response) => {
      const body = await readBody(request);
      seen.push({
        method: request.method,
        url: request.url,
        type: request.headers['content-type'],
        auth: request.headers.authorization,
        length: request.headers['content-length'],
        body,
      });
      if (body.includes('busy')) {
        response.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
        response.end('{"error":"overloaded"}');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ echo: body }));
    });
    const client = createHttpClient(origin, 2);
    const headers = { 'content-type': 'application/json', authorization: 'Bearer k' };
    const body = JSON.stringify({ userId: 'ünï', code: '123456' });
    for (let i = 0; i < 20; i += 1) {
      const result = await client.post('/trpc/verify.totp', headers, body);
      expect(result).toEqual({ status: 200, body: JSON.stringify({ echo: body }), retryAfter: null });
    }
    const busy = await client.post('/x', headers, '"busy"');
    expect(busy).toEqual({ status: 503, body: '{"error":"overloaded"}', retryAfter: '1' });
    expect(seen[0]).toEqual({
      method: 'POST',
      url: '/trpc/verify.totp',
      type: 'application/json',
      auth: 'Bearer k',
      length: String(Buffer.byteLength(body)),
      body,
    });
    // Sequential requests reuse the one warm connection.
    expect(sockets.size).toBe(1);
    client.close();
  });

  it('frames chunked answers, answers with no body and answers that end at close', async () => {
    const { origin } = await serve(async (request, response) => {
      await readBody(request);
      if (request.url === '/chunked') {
        response.writeHead(200);
        response.write('{"a":');
        await new Promise((resolve) => setTimeout(resolve, 5));
        response.write('"ü"');
        response.end('}');
      } else if (request.url === '/empty') {
        response.writeHead(204);
        response.end();
      } else {
        // HTTP/1.0-style: no length, the body ends when the server closes.
        response.useChunkedEncodingByDefault = false;
        response.shouldKeepAlive = false;
        response.writeHead(200, { connection: 'close' });
        response.end('until-close');
      }
    });
    const client = createHttpClient(origin, 1);
    expect(await client.post('/chunked', {}, '')).toEqual({ status: 200, body: '{"a":"ü"}', retryAfter: null });
    expect(await client.post('/empty', {}, '')).toEqual({ status: 204, body: '', retryAfter: null });
    expect(await client.post('/close', {}, '')).toEqual({ status: 200, body: 'until-close', retryAfter: null });
    // The connection the server closed is replaced.
    expect(await client.post('/chunked', {}, '')).toMatchObject({ status: 200 });
    client.close();
  });

  it('holds at most maxSockets connections and answers every queued request', async () => {
    let inFlight = 0;
    let most = 0;
    const { origin, sockets } = await serve(async (request, response) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      const body = await readBody(request);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      response.end(body);
    });
    const client = createHttpClient(origin, 3);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => client.post('/', {}, `n${i}`)));
    expect(answers.map((a) => a.body)).toEqual(Array.from({ length: 60 }, (_, i) => `n${i}`));
    expect(most).toBe(3);
    expect(sockets.size).toBe(3);
    client.close();
  });

  it('times out a request (queued or in flight) and carries on with a fresh connection', async () => {
    const { origin } = await serve(async (request, response) => {
      const body = await readBody(request);
      if (body === 'hang') return;
      response.end(body);
    });
    const client = createHttpClient(origin, 1);
    const hung = client.post('/', {}, 'hang', 100);
    const queued = client.post('/', {}, 'queued', 50);
    await expect(queued).rejects.toBeInstanceOf(RequestTimeout);
    await expect(hung).rejects.toBeInstanceOf(RequestTimeout);
    expect(await client.post('/', {}, 'after', 1000)).toMatchObject({ status: 200, body: 'after' });
    client.close();
  });

  it('names why a connection failed', async () => {
    const { origin, server } = await serve(async (_request, response) => {
      response.end();
      return Promise.resolve();
    });
    await new Promise((resolve) => server.close(resolve)); // nothing listens there any more
    servers.splice(servers.indexOf(server), 1);
    const client = createHttpClient(origin, 1);
    await expect(client.post('/', {}, 'x')).rejects.toThrow(/the connection failed: .*ECONNREFUSED/);
    client.close();
  });

  it('fails the request in flight when the server drops the connection, and the next one succeeds', async () => {
    let calls = 0;
    const { origin } = await serve(async (request, response) => {
      await readBody(request);
      calls += 1;
      if (calls === 1) request.socket.destroy();
      else response.end('ok');
    });
    const client = createHttpClient(origin, 1);
    await expect(client.post('/', {}, 'x')).rejects.toBeInstanceOf(ConnectionLost);
    expect(await client.post('/', {}, 'x')).toMatchObject({ status: 200, body: 'ok' });
    // close() fails what is in flight and leaves the client usable.
    client.close();
    expect(await client.post('/', {}, 'x')).toMatchObject({ body: 'ok' });
    client.close();
  });

  it('parses heads and chunks only when whole, and refuses what is not HTTP', () => {
    const head = Buffer.from('HTTP/1.1 429 Too Many\r\nRetry-After: 2\r\nContent-Length: 3\r\nConnection: keep-alive, close\r\n\r\nabc');
    expect(parseHead(head)).toEqual({ status: 429, bodyStart: head.length - 3, contentLength: 3, chunked: false, close: true, retryAfter: '2' });
    expect(parseHead(head.subarray(0, 20))).toBeNull();
    // HTTP/1.0 closes unless it says keep-alive.
    expect(parseHead(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))?.close).toBe(true);
    expect(parseHead(Buffer.from('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'))?.close).toBe(false);
    expect(() => parseHead(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'))).toThrow(/bad status line/);
    expect(() => parseHead(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'))).toThrow(/content-length/);
    const chunked = Buffer.from('3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n');
    expect(parseChunked(chunked, 0)).toEqual({ body: Buffer.from('abcde'), end: chunked.length });
    for (let cut = 0; cut < chunked.length; cut += 1) expect(parseChunked(chunked.subarray(0, cut), 0)).toBeNull();
    expect(() => parseChunked(Buffer.from('zz\r\n'), 0)).toThrow(/chunk size/);
    expect(() => parseChunked(Buffer.from('3\r\nabcd\r\n0\r\n\r\n'), 0)).toThrow(/CRLF/);
  });
});
