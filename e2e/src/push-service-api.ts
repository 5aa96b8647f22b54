// The local Web Push service (`@holdfast/process/push-service`) runs in the global-setup process,
// because the gateways must be started trusting its certificate and allowing its host. The specs run
// in worker processes, so they read what it received through this small HTTP API on 127.0.0.1:
//   GET  /requests?endpoint=<url>&after=<n>&timeoutMs=<ms>  → the (after+1)-th request to that endpoint, waited for
//   POST /respond {endpoint, status}                         → how that endpoint answers from now on (e.g. 410)
// Each spec makes its own subscription keys; the service never sees the private half, so decryption
// happens in the spec, as on the device.
import type { LocalPushService, PushServiceRequest } from '@holdfast/process/push-service';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A received Web Push request as the specs see it (the body base64-encoded). */
export interface ReceivedPush {
  endpoint: string;
  method: string;
  /** What the service answered (201 unless told otherwise). */
  status: number;
  headers: { authorization: string; ttl: string; urgency: string; topic: string; contentEncoding: string };
  bodyBase64: string;
  /** The service's own RFC 8292 check (aud = the service's origin). */
  vapidIsValid: boolean;
}

function toReceived(request: PushServiceRequest): ReceivedPush {
  const header = (name: string): string => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  return {
    endpoint: request.endpoint,
    method: request.method,
    status: request.status,
    headers: {
      authorization: header('authorization'),
      ttl: header('ttl'),
      urgency: header('urgency'),
      topic: header('topic'),
      contentEncoding: header('content-encoding'),
    },
    bodyBase64: request.body.toString('base64'),
    vapidIsValid: request.vapid.isValid,
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Serves the API for `service` on a free 127.0.0.1 port. */
export async function startPushServiceApi(service: LocalPushService): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const endpoint = url.searchParams.get('endpoint') ?? '';
    if (req.method === 'GET' && url.pathname === '/requests') {
      service
        .waitForRequest(endpoint, { after: Number(url.searchParams.get('after') ?? '0'), timeoutMs: Number(url.searchParams.get('timeoutMs') ?? '10000') })
        .then(
          (request) => {
            send(200, toReceived(request));
          },
          (error: unknown) => {
            send(404, { error: error instanceof Error ? error.message : String(error) });
          },
        );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/respond') {
      void readBody(req).then((text) => {
        const body = JSON.parse(text) as { endpoint: string; status: number };
        service.respondWith(body.endpoint, { status: body.status });
        send(200, { ok: true });
      });
      return;
    }
    send(404, { error: 'unknown route' });
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** The specs' side: the `after`-th (0-based) request the service received for `endpoint`, waited for. */
export async function receivedPush(apiUrl: string, endpoint: string, options: { after?: number; timeoutMs?: number } = {}): Promise<ReceivedPush> {
  const query = new URLSearchParams({ endpoint, after: String(options.after ?? 0), timeoutMs: String(options.timeoutMs ?? 10_000) });
  const response = await fetch(`${apiUrl}/requests?${query.toString()}`);
  const body = (await response.json()) as ReceivedPush | { error: string };
  if ('error' in body) throw new Error(`push service: ${body.error}`);
  return body;
}

/** From now on the service answers `endpoint` with `status` (404 / 410: the subscription is gone). */
export async function respondWith(apiUrl: string, endpoint: string, status: number): Promise<void> {
  const response = await fetch(`${apiUrl}/respond`, { method: 'POST', body: JSON.stringify({ endpoint, status }) });
  if (!response.ok) throw new Error(`push service: /respond answered ${response.status}`);
}
