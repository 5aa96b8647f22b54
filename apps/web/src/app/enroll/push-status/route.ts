// "Confirm it's you" with a paired phone: the browser POSTs here in a loop and each call long-polls
// the gateway's `enrollment.stepUpPushStatus` (≤ 20 s) with the session from the httpOnly cookie. A
// route, not a server action: Next.js runs a page's server actions one at a time, so a 20-second
// action would hold back a code typed meanwhile. Cross-site requests cannot use it: the session
// cookie is SameSite=Strict, and a plain cross-site form cannot send JSON.
import { cookies } from 'next/headers';
import { webEnv } from '../../../env';
import { callGateway, GatewayError } from '../../../lib/gateway';
import { pushStatusWaitMs, pushWaitError, stepUpPushWaitRequest, toStepUpPushWaitAnswer, type PushWaitAnswer } from '../../../lib/push-wait';
import { openSessionCookie, sessionCookieName } from '../../../lib/session-cookie';

export const dynamic = 'force-dynamic';

function answer(body: PushWaitAnswer, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

export async function POST(request: Request): Promise<Response> {
  if (request.headers.get('content-type')?.split(';')[0]?.trim() !== 'application/json') return answer(pushWaitError('BAD_REQUEST'), 415);
  const parsed = stepUpPushWaitRequest.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return answer(pushWaitError('BAD_REQUEST'), 400);
  const token = await openSessionCookie({ value: (await cookies()).get(sessionCookieName())?.value, secret: webEnv().HOLDFAST_WEB_SESSION_SECRET });
  if (token === null) return answer(pushWaitError('ENROLLMENT_SESSION_INVALID'));
  try {
    const output = await callGateway({
      bearer: token,
      isIdempotent: false,
      timeoutMs: pushStatusWaitMs + 8_000,
      signal: request.signal,
      call: (client, signal) => client.enrollment.stepUpPushStatus.mutate({ ...parsed.data, waitMs: pushStatusWaitMs }, { signal }),
    });
    return answer(toStepUpPushWaitAnswer(output));
  } catch (error) {
    if (error instanceof GatewayError) return answer(pushWaitError(error.code));
    if (request.signal.aborted) return answer(pushWaitError('GATEWAY_UNAVAILABLE'));
    console.error('holdfast web: waiting for a step-up push answer failed', error);
    return answer(pushWaitError('INTERNAL'));
  }
}
