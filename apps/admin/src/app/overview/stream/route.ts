// The live map's event stream, proxied: the browser's EventSource talks only to this origin (CSP
// connect-src 'self'); this handler opens the gateways' SSE `GET /v1/admin/overview/stream` with
// the admin bearer from the sealed cookie (through gateway-get.ts, as the audit stream does) and
// passes the events through unchanged. When the gateway it reads from goes away, the stream ends
// and the browser reconnects (after `retry`), and this handler then reaches the next gateway that
// answers — the map keeps updating during a gateway's or the database's failover.
import { overviewStreamPath } from '../../../lib/admin-api';
import { eventStreamResponse, gatewayGet } from '../../../lib/gateway-get';
import { readAdminCookie } from '../../../lib/session';

export const dynamic = 'force-dynamic';

/** How soon the browser reconnects after the stream ends (ms): the map's 3-second promise needs it short. */
const reconnectMs = 1000;

function refusal(status: number, code: string): Response {
  return Response.json({ ok: false, code }, { status, headers: { 'cache-control': 'no-store' } });
}

export async function GET(request: Request): Promise<Response> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') return refusal(401, 'ADMIN_SESSION_INVALID');
  const result = await gatewayGet({ path: overviewStreamPath, bearer: content.token, accept: 'text/event-stream', signal: request.signal });
  switch (result.kind) {
    case 'ok':
      return eventStreamResponse(result.body, reconnectMs);
    case 'refused':
      // The session is over (or the role refused) for every gateway alike: the page acts on the code.
      if (result.status === 401) return refusal(401, 'ADMIN_SESSION_INVALID');
      if (result.status === 403) return refusal(403, 'ADMIN_FORBIDDEN');
      return refusal(503, 'GATEWAY_UNAVAILABLE');
    case 'unavailable':
      return refusal(503, 'GATEWAY_UNAVAILABLE');
  }
}
