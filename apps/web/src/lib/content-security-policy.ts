// The portal's Content-Security-Policy, built per request around a fresh nonce (src/proxy.ts).
// Strict CSP: a script runs only if it carries this response's nonce ('strict-dynamic' lets those
// load their own chunks), so injected markup cannot run script even on a page that handles TOTP
// secrets and recovery codes. Next.js reads the nonce from the request's CSP header and puts it on
// its own scripts — which is why every page renders dynamically.

/** A nonce: 128 random bits, base64 — fresh for every response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64');
}

export function buildContentSecurityPolicy(options: { nonce: string; isDevelopment: boolean }): string {
  const directives = [
    "default-src 'self'",
    // `next dev` needs eval for React's error overlays; production never does.
    `script-src 'nonce-${options.nonce}' 'strict-dynamic'${options.isDevelopment ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${options.nonce}'`,
    // The TOTP QR code is an SVG data: URL drawn on the server.
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}

/** Two years, subdomains included: the portal is only ever served over https outside localhost. */
export const strictTransportSecurity = 'max-age=63072000; includeSubDomains';
