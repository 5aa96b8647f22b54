// Runs before every page (Next.js 16 "proxy"): a fresh CSP nonce per request, handed to the
// renderer in the request's CSP header (Next.js puts it on its own scripts), and the same policy on
// the response; HSTS outside localhost (@holdfast/ui's content-security-policy.ts). "Localhost or
// not" comes from the configured public URL (env.ts), never from a request header.
import { withPageSecurityHeaders } from '@holdfast/ui';
import { NextResponse, type NextRequest } from 'next/server';
import { adminEnv } from './env';

export function proxy(request: NextRequest): NextResponse {
  const env = adminEnv();
  return withPageSecurityHeaders({
    requestHeaders: request.headers,
    isDevelopment: env.isDevelopment,
    isLocalhost: env.isLocalhost,
    next: (headers) => NextResponse.next({ request: { headers } }),
  });
}

export const config = {
  // Static chunks carry no markup to protect; everything rendered does.
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
