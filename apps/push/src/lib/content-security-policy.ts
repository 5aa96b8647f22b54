// The PWA's Content-Security-Policy, built per request around a fresh nonce (src/proxy.ts). A
// script runs only if it carries this response's nonce ('strict-dynamic' lets those load their own
// chunks): injected markup cannot run script on the page that holds the device's signing key. The
// service worker and the manifest are same-origin files (worker-src, manifest-src); the browser
// talks only to this origin (connect-src) — the gateways are reached by the PWA's server.

/** A nonce: 128 random bits, base64 — fresh for every response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function buildPushContentSecurityPolicy({ nonce, isDevelopment }: { nonce: string; isDevelopment: boolean }): string {
  return [
    "default-src 'self'",
    // `next dev` needs eval for React's error overlays; production never does.
    `script-src 'nonce-${nonce}' 'strict-dynamic'${isDevelopment ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Two years, subdomains included: outside localhost the PWA is only ever served over https. */
export const strictTransportSecurity = 'max-age=63072000; includeSubDomains';
