// Plain HTTP GETs on the gateways with the admin bearer — the live streams and downloads, which are
// not tRPC — for the console's route handlers. The browser never talks to a gateway (CSP
// connect-src 'self') and never sees the token; a handler opens the gateway's response here and
// passes its body through. Failover as callGateway does for reads: a gateway that refuses the
// connection, answers 5xx or does not send its headers in time is skipped for the next one.
import { adminEnv } from '../env';

export type GatewayGetResult =
  | { kind: 'ok'; response: Response; body: ReadableStream<Uint8Array> }
  /** The gateway refused the request itself (4xx): the same answer on every gateway. */
  | { kind: 'refused'; status: number; code: string }
  | { kind: 'unavailable' };

const defaultConnectTimeoutMs = 3000;

async function refusalCode(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { holdfastCode?: unknown; code?: unknown };
    if (typeof body.holdfastCode === 'string') return body.holdfastCode;
    if (typeof body.code === 'string') return body.code;
  } catch {
    // Not JSON: the status says enough.
  }
  if (response.status === 401) return 'ADMIN_SESSION_INVALID';
  if (response.status === 403) return 'ADMIN_FORBIDDEN';
  return 'BAD_REQUEST';
}

export async function gatewayGet(options: {
  /** Path and query on the gateway, e.g. `/v1/admin/audit/stream?after=41`. */
  path: string;
  bearer: string;
  accept: string;
  headers?: Record<string, string>;
  /** The browser's request: when it goes away, so does the gateway request (body included). */
  signal: AbortSignal;
  connectTimeoutMs?: number;
}): Promise<GatewayGetResult> {
  for (const gateway of adminEnv().HOLDFAST_GATEWAY_URLS) {
    // Gives up on a gateway whose headers do not come in time; once they have, only the browser
    // going away ends the body (fetch's signal governs the body too).
    const connect = new AbortController();
    const timer = setTimeout(() => {
      connect.abort();
    }, options.connectTimeoutMs ?? defaultConnectTimeoutMs);
    let response: Response;
    try {
      response = await fetch(`${gateway}${options.path}`, {
        headers: { ...options.headers, authorization: `Bearer ${options.bearer}`, accept: options.accept },
        signal: AbortSignal.any([options.signal, connect.signal]),
      });
    } catch {
      if (options.signal.aborted) return { kind: 'unavailable' };
      continue;
    } finally {
      clearTimeout(timer);
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      return { kind: 'refused', status: response.status, code: await refusalCode(response) };
    }
    const body = response.body;
    if (!response.ok || body === null) {
      await body?.cancel().catch(() => undefined);
      continue;
    }
    return { kind: 'ok', response, body };
  }
  return { kind: 'unavailable' };
}

/** The gateway's body, passed through chunk by chunk after `prefix`; ends quietly when either side goes. */
export function passThrough(body: ReadableStream<Uint8Array>, prefix = ''): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (prefix !== '') controller.enqueue(encoder.encode(prefix));
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.close();
      }
    },
    async cancel() {
      await reader.cancel().catch(() => undefined);
    },
  });
}

/** What an SSE answer of the console carries (no caching, no proxy buffering). */
export const eventStreamHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform', 'x-accel-buffering': 'no' };

/** A gateway's event stream passed through to the browser, which reconnects `reconnectMs` after it ends. */
export function eventStreamResponse(body: ReadableStream<Uint8Array>, reconnectMs: number): Response {
  return new Response(passThrough(body, `retry: ${String(reconnectMs)}\n\n`), { headers: eventStreamHeaders });
}
