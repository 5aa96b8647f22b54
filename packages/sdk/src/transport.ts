// The SDK's HTTP transport: tRPC's httpLink and the /readyz probes over node:http(s) with
// keep-alive agents, not the global fetch. Node 20's fetch (undici) cost ~570 µs of CPU per
// verification call here against ~155 µs for the same request through node:http (the same local
// server, 8 at a time); a relying application's verification traffic runs on its own servers'
// cores, and the failover drills' load generator — the SDK — was the busiest process of the soak
// (0.44 of the machine's 2 cores at 212 logins/s), which pushed the machine into its saturated seconds.
import http from 'node:http';
import https from 'node:https';

/** The most of a gateway's answer the SDK reads: answers are a few hundred bytes; anything far larger is not a gateway. */
const maxResponseBytes = 4 * 1024 * 1024;

/** What the SDK reads from an answer (a subset of fetch's Response, enough for tRPC's httpLink). */
export interface TransportResponse {
  ok: boolean;
  status: number;
  json: () => Promise<unknown>;
  text: () => Promise<string>;
}

export interface TransportInit {
  method?: string;
  headers?: [string, string][] | Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | null;
}

export type Transport = (url: string | URL, init?: TransportInit) => Promise<TransportResponse>;

/** Why an aborted request failed, as fetch says it: the signal's reason (the per-try deadline's TimeoutError), else an AbortError. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'This operation was aborted', 'AbortError');
}

/**
 * A fetch-shaped request function over node:http(s), one keep-alive agent per protocol per client:
 * connections to a gateway are reused, as fetch reuses them. An aborted signal destroys the
 * request at once (its socket is not reused); connection errors keep node's `code` (ECONNREFUSED),
 * which the failover loop reads from the error's cause chain.
 */
export function createTransport(): Transport {
  // An idle connection is closed by the SDK after 4 s, or 1 s before the server's own Keep-Alive
  // hint (the gateway's 5 s) — node applies that hint only when the agent has a timeout — so a
  // request is never written to a connection the gateway is closing at that moment (ECONNRESET:
  // a create-once call could not be re-sent). A request in progress is not cut by it (checked:
  // a 2.5-s answer through a 1-s agent timeout arrives).
  const options = { keepAlive: true, timeout: 4_000 };
  const agents = { http: new http.Agent(options), https: new https.Agent(options) };
  return (input, init = {}) =>
    new Promise<TransportResponse>((resolve, reject) => {
      const { signal } = init;
      if (signal?.aborted === true) {
        reject(abortReason(signal));
        return;
      }
      const url = typeof input === 'string' ? new URL(input) : input;
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new TypeError(`unsupported protocol ${url.protocol}`));
        return;
      }
      if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
        reject(new TypeError('the SDK transport sends string bodies only'));
        return;
      }
      const body = init.body ?? undefined;
      const headers: Record<string, string> = Array.isArray(init.headers) ? Object.fromEntries(init.headers) : { ...init.headers };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      const isHttps = url.protocol === 'https:';
      const onAbort = (): void => {
        request.destroy(signal === null || signal === undefined ? undefined : abortReason(signal));
      };
      const settle = (): void => {
        signal?.removeEventListener('abort', onAbort);
      };
      const request = (isHttps ? https : http).request(
        url,
        { method: init.method ?? 'GET', headers, agent: isHttps ? agents.https : agents.http },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxResponseBytes) {
              request.destroy(new Error(`answer larger than ${maxResponseBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => {
            settle();
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            resolve({
              ok: status >= 200 && status < 300,
              status,
              text: () => Promise.resolve(text),
              // Parsed when asked, as fetch's json() is: a gateway's non-JSON error page rejects here.
              json: () =>
                new Promise((ok) => {
                  ok(JSON.parse(text) as unknown);
                }),
            });
          });
          response.on('error', (error) => {
            settle();
            reject(error);
          });
          // The connection dropped before the whole answer came (after 'end' this rejects nothing).
          response.on('close', () => {
            if (response.complete) return;
            settle();
            reject(signal?.aborted === true ? abortReason(signal) : Object.assign(new Error('the answer was cut off'), { code: 'ECONNRESET' }));
          });
        },
      );
      request.on('error', (error) => {
        settle();
        reject(signal?.aborted === true ? abortReason(signal) : error);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(body);
    });
}
