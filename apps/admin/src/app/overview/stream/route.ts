// The live map's event stream, proxied: the browser's EventSource talks only to this origin (CSP
// connect-src 'self'); this handler opens the gateways' SSE `GET /v1/admin/overview/stream` with
// the admin bearer from the sealed cookie and passes the events through unchanged. When the
// gateway it reads from goes away, the stream ends and the browser reconnects (after `retry`), and
// this handler then reaches the next gateway that answers — the map keeps updating during a
// gateway's or the database's failover.
import { adminEnv } from '../../../env';
import { overviewStreamPath } from '../../../lib/admin-api';
import { readAdminCookie } from '../../../lib/session';

export const dynamic = 'force-dynamic';

/** How soon the browser reconnects after the stream ends (ms): the map's 3-second promise needs it short. */
const reconnectMs = 1000;
const connectTimeoutMs = 3000;

function refusal(status: number, code: string): Response {
  return Response.json({ ok: false, code }, { status, headers: { 'cache-control': 'no-store' } });
}

export async function GET(request: Request): Promise<Response> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') return refusal(401, 'ADMIN_SESSION_INVALID');
  for (const gateway of adminEnv().HOLDFAST_GATEWAY_URLS) {
    let upstream: Response;
    // Gives up on a gateway whose headers do not come within connectTimeoutMs; once they have come,
    // only the browser going away ends the stream (fetch's signal governs the body too).
    const connect = new AbortController();
    const timer = setTimeout(() => {
      connect.abort();
    }, connectTimeoutMs);
    try {
      upstream = await fetch(`${gateway}${overviewStreamPath}`, {
        headers: { authorization: `Bearer ${content.token}`, accept: 'text/event-stream' },
        signal: AbortSignal.any([request.signal, connect.signal]),
      });
    } catch {
      if (request.signal.aborted) return refusal(499, 'CLIENT_CLOSED');
      continue;
    } finally {
      clearTimeout(timer);
    }
    // The session is over for every gateway alike: no point asking the next one.
    if (upstream.status === 401) return refusal(401, 'ADMIN_SESSION_INVALID');
    if (upstream.status === 403) return refusal(403, 'ADMIN_FORBIDDEN');
    if (!upstream.ok || upstream.body === null) {
      await upstream.body?.cancel().catch(() => undefined);
      continue;
    }
    const body = upstream.body;
    const reader = body.getReader();
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`retry: ${reconnectMs}\n\n`));
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
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform', 'x-accel-buffering': 'no' },
    });
  }
  return refusal(503, 'GATEWAY_UNAVAILABLE');
}
