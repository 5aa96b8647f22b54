// Runs before every page (Next.js 16 "proxy"): a fresh CSP nonce per request, handed to the
// renderer in the request's CSP header (Next.js puts it on its own scripts), and the same policy on
// the response — with the PWA's same-origin service worker and manifest (worker-src, manifest-src);
// HSTS outside localhost (decided by the configured public URL, never a header). The policy is
// @holdfast/ui's content-security-policy.ts, shared with the portal.
import { withPageSecurityHeaders } from '@holdfast/ui';
import { NextResponse, type NextRequest } from 'next/server';
import { pushEnv } from './env';

export function proxy(request: NextRequest): NextResponse {
  const env = pushEnv();
  return withPageSecurityHeaders({
    requestHeaders: request.headers,
    isDevelopment: env.isDevelopment,
    isLocalhost: env.isLocalhost,
    isPwa: true,
    next: (headers) => NextResponse.next({ request: { headers } }),
  });
}

export const config = {
  // Static chunks and icons carry no markup to protect; pages, the offline shell and the service
  // worker script (whose own CSP governs the worker) do.
  matcher: [{ source: '/((?!_next/static|_next/image|icons/|favicon.ico).*)' }],
};
