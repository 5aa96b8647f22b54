import type { NextConfig } from 'next';

// The admin console runs a deployment: never framed, never cached, never leaking a URL through a
// Referer header. The Content-Security-Policy (per-request script nonce) and HSTS are set by
// src/proxy.ts, which depends on the request and the runtime configuration; these are fixed at build time.
const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
  // Every admin page is personal and live: no cache may keep one.
  { key: 'Cache-Control', value: 'no-store' },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Workspace packages export their TypeScript source (ARCHITECTURE.md); Next compiles these two,
  // which the pages import at run time. @holdfast/api is imported for types only.
  transpilePackages: ['@holdfast/validators', '@holdfast/ui'],
  // `npm run typecheck` (tsc, strict) and `npm run lint` are their own tasks; not again inside `next build`.
  typescript: { ignoreBuildErrors: true },
  headers() {
    return Promise.resolve([{ source: '/:path*', headers: securityHeaders }]);
  },
};

export default nextConfig;
