// The live audit stream, proxied: the browser's EventSource talks only to this origin (CSP
// connect-src 'self'); this handler opens a gateway's `GET /v1/admin/audit/stream` with the admin
// bearer from the sealed cookie and passes the frames through unchanged (`id:` = leaf index).
//
// Resuming: when the connection drops, the browser's EventSource reconnects here by itself and
// sends `Last-Event-ID` (the last leaf it handled), which is forwarded, so the gateway it reaches —
// the same or another — continues exactly after that leaf: none missed, none twice.
//
// Every answer is a 200 event stream, even a refusal: an EventSource that gets another status gives
// up for good, so a refusal is said as one named event (`session-ended`, `forbidden`) the page acts
// on, and "no gateway answered" as `unavailable` followed by the end of the stream — after which
// the browser retries on its own.
import { auditStreamPath } from '../../../../lib/admin-api-audit';
import { eventStreamHeaders, eventStreamResponse, gatewayGet } from '../../../../lib/gateway-get';
import { readAdminCookie } from '../../../../lib/session';

export const dynamic = 'force-dynamic';

/** How soon the browser reconnects after the stream ends (ms). */
const reconnectMs = 2000;

/** A leaf index as the gateway takes it (-1: from the first leaf). */
const leafIndexPattern = /^(?:-1|0|[1-9]\d{0,15})$/;

/** One named event, then the end of the stream. */
function say(event: 'session-ended' | 'forbidden' | 'unavailable', code: string): Response {
  return new Response(`retry: ${String(reconnectMs)}\n\nevent: ${event}\ndata: ${JSON.stringify({ code })}\n\n`, { headers: eventStreamHeaders });
}

export async function GET(request: Request): Promise<Response> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') return say('session-ended', 'ADMIN_SESSION_INVALID');
  const after = new URL(request.url).searchParams.get('after');
  const lastEventId = request.headers.get('last-event-id');
  const query = after !== null && leafIndexPattern.test(after) ? `?after=${after}` : '';
  const result = await gatewayGet({
    path: `${auditStreamPath}${query}`,
    bearer: content.token,
    accept: 'text/event-stream',
    // Only a well-formed leaf index goes on (the gateway refuses anything else, which would end the stream for good).
    headers: lastEventId !== null && leafIndexPattern.test(lastEventId) ? { 'last-event-id': lastEventId } : {},
    signal: request.signal,
  });
  switch (result.kind) {
    case 'ok':
      return eventStreamResponse(result.body, reconnectMs);
    case 'refused':
      if (result.status === 401) return say('session-ended', result.code);
      if (result.status === 403) return say('forbidden', result.code);
      return say('unavailable', result.code);
    case 'unavailable':
      return say('unavailable', 'GATEWAY_UNAVAILABLE');
  }
}
