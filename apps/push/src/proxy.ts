// Runs before every page (Next.js 16 "proxy"): a fresh CSP nonce per request, handed to the
// renderer in the request's CSP header (Next.js puts it on its own scripts), and the same policy on
// the response; HSTS outside localhost (decided by the configured public URL, never a header).
import { NextResponse, type NextRequest } from 'next/server';
import { pushEnv } from './env';
import { buildPushContentSecurityPolicy, createNonce, strictTransportSecurity } from './lib/content-security-policy';

export function proxy(request: NextRequest): NextResponse {
  const env = pushEnv();
  const nonce = createNonce();
  const policy = buildPushContentSecurityPolicy({ nonce, isDevelopment: env.isDevelopment });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', policy);
  if (!env.isLocalhost) response.headers.set('strict-transport-security', strictTransportSecurity);
  return response;
}

export const config = {
  // Static chunks and icons carry no markup to protect; pages, the offline shell and the service
  // worker script (whose own CSP governs the worker) do.
  matcher: [{ source: '/((?!_next/static|_next/image|icons/|favicon.ico).*)' }],
};
