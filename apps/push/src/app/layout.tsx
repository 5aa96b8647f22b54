import { AppShell } from '@holdfast/ui';
import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { ServiceWorkerRegistration } from './service-worker-registration';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Holdfast Push', template: '%s · Holdfast Push' },
  description: 'Approve sign-ins to your accounts by typing the number shown on the sign-in screen.',
  applicationName: 'Holdfast Push',
  // Personal, short-lived screens: keep them out of search engines.
  robots: { index: false, follow: false },
  icons: { icon: '/icons/icon-192.png', apple: '/icons/icon-192.png' },
  appleWebApp: { capable: true, title: 'Holdfast Push', statusBarStyle: 'default' },
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0b5cad' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request: Next.js can only put the CSP nonce (src/proxy.ts) on the
  // scripts of a page rendered after the request arrived.
  await connection();
  return (
    <html lang="en">
      <body>
        <AppShell name="Holdfast Push" homeHref="/">
          {children}
        </AppShell>
        <ServiceWorkerRegistration />
      </body>
    </html>
  );
}
