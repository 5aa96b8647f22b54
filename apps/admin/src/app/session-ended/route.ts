// Where a page is sent when the gateway says the admin session is over (ADMIN_SESSION_INVALID):
// pages cannot drop a cookie, a route handler can. It drops it only when the gateway confirms the
// session is gone — a link from elsewhere cannot sign an admin out (the cookie is SameSite=Strict
// anyway) — and otherwise goes back to the console.
import { NextResponse } from 'next/server';
import { adminEnv } from '../../env';
import { sessionMe } from '../../lib/admin-api';
import { GatewayError } from '../../lib/gateway';
import { readAdminCookie } from '../../lib/session';
import { adminCookieDeletion } from '../../lib/session-cookie';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<NextResponse> {
  const content = await readAdminCookie();
  let isOver = content?.stage !== 'session';
  if (content?.stage === 'session') {
    try {
      await sessionMe(content.token);
    } catch (error) {
      isOver = error instanceof GatewayError && error.code === 'ADMIN_SESSION_INVALID';
    }
  }
  // The configured public URL, never the request's Host header.
  const response = NextResponse.redirect(new URL(isOver ? '/sign-in?reason=expired' : '/', adminEnv().publicUrl), 303);
  if (isOver) response.cookies.delete(adminCookieDeletion());
  return response;
}
