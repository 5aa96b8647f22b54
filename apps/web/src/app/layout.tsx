import { AppShell } from '@holdfast/ui';
import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
// The shared base first, then this app's own rules, so the app's rules win the cascade as before.
import '@holdfast/ui/base.css';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Holdfast', template: '%s · Holdfast' },
  description: 'Set up two-step sign-in: authenticator apps and recovery codes.',
  // Enrollment pages are personal and short-lived: keep them out of search engines.
  robots: { index: false, follow: false },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request: Next.js can only put the CSP nonce (src/proxy.ts) on the
  // scripts of a page rendered after the request arrived. A prerendered page's scripts would carry
  // no nonce and be blocked.
  await connection();
  return (
    <html lang="en">
      <body>
        <AppShell name="Holdfast">{children}</AppShell>
      </body>
    </html>
  );
}
