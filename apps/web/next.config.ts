import type { NextConfig } from 'next';

// The portal handles enrollment secrets (TOTP keys, recovery codes): never cache, never frame,
// never leak the one-time link through a Referer header. The Content-Security-Policy (with a
// per-request script nonce) and HSTS are set by src/proxy.ts: they depend on the request and on the
// runtime configuration, and these headers are fixed at build time.
const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Workspace packages export their TypeScript source (ARCHITECTURE.md); Next compiles these two,
  // which the pages import at run time. @holdfast/api is imported for types only.
  transpilePackages: ['@holdfast/validators', '@holdfast/ui'],
  // `npm run typecheck` (tsc, strict) and `npm run lint` are their own turbo tasks; running them
  // again inside `next build` only costs time on a 2-core machine.
  typescript: { ignoreBuildErrors: true },
  headers() {
    return Promise.resolve([
      { source: '/:path*', headers: securityHeaders },
      { source: '/enroll/:path*', headers: [{ key: 'Cache-Control', value: 'no-store' }] },
      { source: '/enroll', headers: [{ key: 'Cache-Control', value: 'no-store' }] },
      { source: '/verify/:path*', headers: [{ key: 'Cache-Control', value: 'no-store' }] },
    ]);
  },
};

export default nextConfig;
