// The server side of the browser's push wait (lib/push-wait.ts), shared by the hosted page's
// route (app/verify/push-status) and the portal's step-up route (app/enroll/push-status): each POST
// is one gateway long-poll (≤ pushStatusWaitMs) answered in the page's words. A route, not a server
// action: Next.js runs a page's server actions one at a time, so a 20-second action would hold back
// a code typed meanwhile. JSON only, which a plain cross-site form cannot send.
import type { z } from 'zod';
import { callGateway, GatewayError, type GatewayClient } from './gateway';
import { pushStatusWaitMs, pushWaitError, type PushWaitAnswer } from './push-wait';

function answer(body: PushWaitAnswer, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

/** One long-poll on the gateways, for as long as the browser that asked is there. */
export function longPollGateway<T>(options: {
  request: Request;
  bearer: string | null;
  call: (client: GatewayClient, signal: AbortSignal, waitMs: number) => Promise<T>;
}): Promise<T> {
  return callGateway({
    bearer: options.bearer,
    // Only a refused connection moves on: a gateway that took the call may have decided the push.
    isIdempotent: false,
    timeoutMs: pushStatusWaitMs + 8_000,
    // The browser gave up (navigated away): stop waiting on the gateway too.
    signal: options.request.signal,
    call: (client, signal) => options.call(client, signal, pushStatusWaitMs),
  });
}

/**
 * Parses the JSON body with `input`, runs `ask` (which long-polls the gateway) and answers in the
 * page's words: a malformed request 415/400, a gateway refusal or outage by its code, anything
 * else INTERNAL (logged as `what`).
 */
export async function answerPushWait<Input>(options: {
  request: Request;
  input: z.ZodType<Input>;
  what: string;
  ask: (input: Input) => Promise<PushWaitAnswer>;
}): Promise<Response> {
  const { request } = options;
  if (request.headers.get('content-type')?.split(';')[0]?.trim() !== 'application/json') return answer(pushWaitError('BAD_REQUEST'), 415);
  const parsed = options.input.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return answer(pushWaitError('BAD_REQUEST'), 400);
  try {
    return answer(await options.ask(parsed.data));
  } catch (error) {
    if (error instanceof GatewayError) return answer(pushWaitError(error.code));
    if (request.signal.aborted) return answer(pushWaitError('GATEWAY_UNAVAILABLE'));
    console.error(`holdfast web: ${options.what} failed`, error);
    return answer(pushWaitError('INTERNAL'));
  }
}
