// Runs before every page (Next.js 16 "proxy", formerly middleware): a fresh CSP nonce per request,
// handed to the renderer in the request's CSP header (Next.js puts it on its own scripts), and the
// same policy on the response; HSTS outside localhost. The decision "localhost or not" comes from
// the configured public URL (env.ts), never from a request header.
import { NextResponse, type NextRequest } from 'next/server';
import { webEnv } from './env';
import { buildContentSecurityPolicy, createNonce, strictTransportSecurity } from './lib/content-security-policy';

export function proxy(request: NextRequest): NextResponse {
  const env = webEnv();
  const nonce = createNonce();
  const policy = buildContentSecurityPolicy({ nonce, isDevelopment: env.isDevelopment });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', policy);
  if (!env.isLocalhost) response.headers.set('strict-transport-security', strictTransportSecurity);
  return response;
}

export const config = {
  // Static chunks carry no markup to protect; everything rendered does.
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
