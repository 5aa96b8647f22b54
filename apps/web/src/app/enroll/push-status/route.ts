// "Confirm it's you" with a paired phone: the browser POSTs here in a loop and each call long-polls
// the gateway's `enrollment.stepUpPushStatus` (≤ 20 s; lib/push-wait-route.ts says why a route)
// with the session from the httpOnly cookie. Cross-site requests cannot use it: the session
// cookie is SameSite=Strict, and a plain cross-site form cannot send JSON.
import { cookies } from 'next/headers';
import { webEnv } from '../../../env';
import { pushWaitError, stepUpPushWaitRequest, toStepUpPushWaitAnswer } from '../../../lib/push-wait';
import { answerPushWait, longPollGateway } from '../../../lib/push-wait-route';
import { openSessionCookie, sessionCookieName } from '../../../lib/session-cookie';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return answerPushWait({
    request,
    input: stepUpPushWaitRequest,
    what: 'waiting for a step-up push answer',
    ask: async (input) => {
      const token = await openSessionCookie({ value: (await cookies()).get(sessionCookieName())?.value, secret: webEnv().HOLDFAST_WEB_SESSION_SECRET });
      if (token === null) return pushWaitError('ENROLLMENT_SESSION_INVALID');
      return toStepUpPushWaitAnswer(
        await longPollGateway({
          request,
          bearer: token,
          call: (client, signal, waitMs) => client.enrollment.stepUpPushStatus.mutate({ ...input, waitMs }, { signal }),
        }),
      );
    },
  });
}
