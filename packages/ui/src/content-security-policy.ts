// The Content-Security-Policy of the Next.js apps (the portal, apps/web, and the push PWA,
// apps/push), built per request around a fresh nonce by each app's src/proxy.ts. Strict CSP: a
// script runs only if it carries this response's nonce ('strict-dynamic' lets those load their own
// chunks), so injected markup cannot run script on a page that handles TOTP secrets, recovery
// codes or a device's signing key. Next.js reads the nonce from the request's CSP header and puts
// it on its own scripts — which is why every page renders dynamically. Pure: no Next.js here, so
// the proxies hand in how to continue the request.

/** A nonce: 128 random bits, base64 — fresh for every response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export interface ContentSecurityPolicyOptions {
  nonce: string;
  /** `next dev` needs eval for React's error overlays; production never does. */
  isDevelopment: boolean;
  /**
   * An installable app (the push PWA): its service worker and web app manifest are same-origin
   * files (worker-src, manifest-src 'self').
   */
  isPwa?: boolean;
}

export function buildContentSecurityPolicy(options: ContentSecurityPolicyOptions): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${options.nonce}' 'strict-dynamic'${options.isDevelopment ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${options.nonce}'`,
    // QR codes are SVG data: URLs drawn on the server.
    "img-src 'self' data:",
    "font-src 'self'",
    // The browser talks only to its own origin: the gateways are reached by the app's server.
    "connect-src 'self'",
    ...(options.isPwa === true ? ["worker-src 'self'", "manifest-src 'self'"] : []),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Two years, subdomains included: outside localhost the apps are only ever served over https. */
export const strictTransportSecurity = 'max-age=63072000; includeSubDomains';

/**
 * What each app's proxy does before every page: a fresh nonce, handed to the renderer in the
 * request's CSP header (and `x-nonce`), the same policy on the response, and HSTS outside
 * localhost (decided by the configured public URL, never a request header). `next` continues the
 * request with the given headers (NextResponse.next in the proxy).
 */
export function withPageSecurityHeaders<Response extends { headers: Headers }>(
  options: Omit<ContentSecurityPolicyOptions, 'nonce'> & {
    requestHeaders: Headers;
    isLocalhost: boolean;
    next: (requestHeaders: Headers) => Response;
  },
): Response {
  const nonce = createNonce();
  const policy = buildContentSecurityPolicy({ nonce, isDevelopment: options.isDevelopment, isPwa: options.isPwa === true });
  const requestHeaders = new Headers(options.requestHeaders);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('content-security-policy', policy);
  const response = options.next(requestHeaders);
  response.headers.set('content-security-policy', policy);
  if (!options.isLocalhost) response.headers.set('strict-transport-security', strictTransportSecurity);
  return response;
}
