import type { NextConfig } from 'next';

// The PWA holds device signing keys (in IndexedDB) and shows who is signing in: never framed, never
// leaking a URL through Referer. The CSP (per-request nonce, worker-src / manifest-src 'self') and
// HSTS come from src/proxy.ts; these headers are fixed at build time.
const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];
const noStore = [{ key: 'Cache-Control', value: 'no-store' }];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Workspace packages export their TypeScript source; @holdfast/api is imported for types only.
  transpilePackages: ['@holdfast/validators', '@holdfast/ui'],
  // typecheck and lint are their own turbo tasks; not again inside `next build` on a 2-core machine.
  typescript: { ignoreBuildErrors: true },
  headers() {
    return Promise.resolve([
      { source: '/:path*', headers: securityHeaders },
      // Pairing and approval screens: personal, one-time, never kept by a cache.
      { source: '/pair', headers: noStore },
      { source: '/approve', headers: noStore },
      // The worker script must be re-checked on every load (with updateViaCache 'none'), so a
      // fixed worker reaches phones at once; its scope is the whole origin.
      {
        source: '/sw.js',
        headers: [
          { key: 'Cache-Control', value: 'no-cache' },
          { key: 'Service-Worker-Allowed', value: '/' },
        ],
      },
    ]);
  },
};

export default nextConfig;
