// Opening a one-time enrollment link: redeem it through a gateway (server side), keep the session
// it yields in an httpOnly cookie, and redirect to /enroll — so a reload never redeems again and
// the link's token does not stay in the address bar or the history.
import { NextResponse, type NextRequest } from 'next/server';
import { webEnv } from '../../../env';
import { callGateway, GatewayError } from '../../../lib/gateway';
import { linkProblemFor } from '../../../lib/messages';
import { sealSessionToken, sessionCookieName, sessionCookieOptions } from '../../../lib/session-cookie';

export const dynamic = 'force-dynamic';

/** A relative Location: the browser stays on the host it used (localhost vs 127.0.0.1 matters for the cookie). */
function redirectTo(location: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

export async function GET(request: NextRequest, context: { params: Promise<{ token: string }> }): Promise<NextResponse> {
  const { token } = await context.params;
  try {
    const session = await callGateway({
      bearer: null,
      isIdempotent: false,
      call: (client, signal) => client.enrollment.redeem.mutate({ token }, { signal }),
    });
    const response = redirectTo('/enroll');
    const isHttps = request.nextUrl.protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
    response.cookies.set(
      sessionCookieName,
      await sealSessionToken({ token: session.sessionToken, secret: webEnv().HOLDFAST_WEB_SESSION_SECRET, expiresAt: new Date(session.expiresAt) }),
      // JSON carries the expiry as an ISO string whatever the router's output type says.
      sessionCookieOptions({ isHttps, expiresAt: new Date(session.expiresAt) }),
    );
    return response;
  } catch (error) {
    if (!(error instanceof GatewayError)) console.error('holdfast web: redeeming an enrollment link failed', error);
    const code = error instanceof GatewayError ? error.code : 'INTERNAL';
    return redirectTo(`/enroll/link-problem?reason=${linkProblemFor(code)}`);
  }
}
