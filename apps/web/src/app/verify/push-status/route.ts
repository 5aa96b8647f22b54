// The hosted page's wait for the phone: the browser POSTs here in a loop and each call long-polls
// the gateway's `hosted.pushStatus` (≤ 20 s). A route, not a server action: Next.js runs a page's
// server actions one at a time, so a 20-second action would hold back a TOTP code typed meanwhile.
// The transaction token in the body is the only credential (no cookie), so a cross-site POST gains
// nothing; JSON only, which a plain cross-site form cannot send.
import { callGateway, GatewayError } from '../../../lib/gateway';
import { pushStatusWaitMs, pushWaitError, pushWaitRequest, toPushWaitAnswer, type PushWaitAnswer } from '../../../lib/push-wait';

export const dynamic = 'force-dynamic';

function answer(body: PushWaitAnswer, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

export async function POST(request: Request): Promise<Response> {
  if (request.headers.get('content-type')?.split(';')[0]?.trim() !== 'application/json') return answer(pushWaitError('BAD_REQUEST'), 415);
  const parsed = pushWaitRequest.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return answer(pushWaitError('BAD_REQUEST'), 400);
  try {
    const output = await callGateway({
      bearer: null,
      // Only a refused connection moves on: a gateway that took the call may have completed the transaction.
      isIdempotent: false,
      timeoutMs: pushStatusWaitMs + 8_000,
      // The browser gave up (navigated away): stop waiting on the gateway too.
      signal: request.signal,
      call: (client, signal) => client.hosted.pushStatus.mutate({ ...parsed.data, waitMs: pushStatusWaitMs }, { signal }),
    });
    return answer(toPushWaitAnswer(output));
  } catch (error) {
    if (error instanceof GatewayError) return answer(pushWaitError(error.code));
    if (request.signal.aborted) return answer(pushWaitError('GATEWAY_UNAVAILABLE'));
    console.error('holdfast web: waiting for a push answer failed', error);
    return answer(pushWaitError('INTERNAL'));
  }
}
