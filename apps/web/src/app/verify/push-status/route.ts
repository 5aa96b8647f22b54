// The hosted page's wait for the phone: the browser POSTs here in a loop and each call long-polls
// the gateway's `hosted.pushStatus` (≤ 20 s; lib/push-wait-route.ts says why a route). The
// transaction token in the body is the only credential (no cookie), so a cross-site POST gains
// nothing.
import { pushWaitRequest, toPushWaitAnswer } from '../../../lib/push-wait';
import { answerPushWait, longPollGateway } from '../../../lib/push-wait-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  return answerPushWait({
    request,
    input: pushWaitRequest,
    what: 'waiting for a push answer',
    ask: async (input) =>
      toPushWaitAnswer(
        await longPollGateway({ request, bearer: null, call: (client, signal, waitMs) => client.hosted.pushStatus.mutate({ ...input, waitMs }, { signal }) }),
      ),
  });
}
