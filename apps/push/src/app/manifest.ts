import type { MetadataRoute } from 'next';

// Served as /manifest.webmanifest. What Chromium needs to call the app installable
// (installable_evaluator.cc): a name, a start URL in scope, standalone display, an icon ≥ 144 px
// with purpose "any"; the maskable icon is for launchers that crop to a shape.
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: '/',
    name: 'Holdfast Push',
    short_name: 'Holdfast',
    description: 'Approve sign-ins to your accounts by typing the number shown on the sign-in screen.',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    orientation: 'portrait',
    background_color: '#f6f7f9',
    theme_color: '#0b5cad',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
}
