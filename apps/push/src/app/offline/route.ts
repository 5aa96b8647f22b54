// The offline shell: the page the service worker precaches at install and shows when a navigation
// finds no network. Plain HTML with no script — served for ANY failed navigation, it must not boot
// the app router at a URL it was not rendered for (whose fetches would fail offline and send it round
// again). Its one <style> carries this response's nonce (the CSP comes from src/proxy.ts, and the
// cached copy keeps the header and the nonce together).
import type { NextRequest } from 'next/server';

export const dynamic = 'force-dynamic';

const styles = `
  body { margin: 0; background: #f6f7f9; color: #1b1f24; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; line-height: 1.5; }
  header { background: #fff; border-bottom: 1px solid #d0d7de; padding: 0.75rem 1rem; font-weight: 700; font-size: 1.1rem; }
  header span { color: #0b5cad; }
  main { max-width: 36rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
  h1 { font-size: 1.5rem; line-height: 1.25; margin: 0.5rem 0 0.75rem; }
  a { color: #0b5cad; display: inline-block; min-height: 1.5rem; }
  a:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
`;

function escapeAttribute(value: string): string {
  return value.replace(/[^A-Za-z0-9+/=]/g, '');
}

export function GET(request: NextRequest): Response {
  const nonce = escapeAttribute(request.headers.get('x-nonce') ?? '');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#0b5cad">
<title>You are offline · Holdfast Push</title>
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="/icons/icon-192.png">
<style nonce="${nonce}">${styles}</style>
</head>
<body>
<header><span aria-hidden="true">◆</span> Holdfast Push</header>
<main id="main">
<h1>You are offline</h1>
<p>This device has no connection right now. Approving or denying a sign-in needs a connection, so nothing can be answered until you are back online.</p>
<p>When you are connected again, <a href="/">check for sign-in requests</a>.</p>
</main>
</body>
</html>
`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } });
}
