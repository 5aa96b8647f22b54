import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
// The shared base first, then this app's own rules, so the app's rules win the cascade as before.
import '@holdfast/ui/base.css';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Holdfast console', template: '%s · Holdfast console' },
  description: 'Operate a Holdfast deployment: live failover map, audit, users, applications and drills.',
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request: Next.js can only put the CSP nonce (src/proxy.ts) on the
  // scripts of a page rendered after the request arrived.
  await connection();
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
