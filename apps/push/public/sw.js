// Holdfast Push service worker (scope "/"). Three jobs:
// 1. Every push shows a notification — ALWAYS inside event.waitUntil(showNotification): a push that
//    shows nothing gets the subscription cancelled (iOS after ~3) and is a silent tracker besides.
// 2. A tap on the notification opens the approval screen, /approve?tx=<transactionId>.
// 3. Navigations go to the network first; with no network, the precached offline page says so
//    (approvals need a connection) instead of a browser error. Nothing personal is ever cached.
const cacheName = 'holdfast-push-v1';
const offlineUrl = '/offline';
// The offline page and what it links to: no personal data in any of them.
const shellUrls = [offlineUrl, '/manifest.webmanifest', '/icons/icon-192.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      await cache.addAll(shellUrls.map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== cacheName) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.mode !== 'navigate') {
    // The shell's own files: network first, the precached copy offline. Everything else
    // (scripts, styles, server actions) is left to the browser.
    if (event.request.method === 'GET' && url.origin === self.location.origin && shellUrls.includes(url.pathname) && url.pathname !== offlineUrl) {
      event.respondWith(fetch(event.request).catch(async () => (await caches.match(url.pathname, { cacheName })) ?? Response.error()));
    }
    return;
  }
  event.respondWith(
    (async () => {
      try {
        return await fetch(event.request);
      } catch {
        const cached = await caches.match(offlineUrl, { cacheName });
        return (
          cached ??
          new Response('You are offline. Approving a sign-in needs a connection.', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } })
        );
      }
    })(),
  );
});

/** The gateway's payload: { transactionId, applicationName, expiresAt } — never the number. */
function readPayload(event) {
  try {
    const data = event.data ? event.data.json() : null;
    if (data && typeof data.transactionId === 'string' && data.transactionId !== '') {
      return {
        transactionId: data.transactionId,
        applicationName: typeof data.applicationName === 'string' && data.applicationName !== '' ? data.applicationName : 'An application',
        expiresAt: typeof data.expiresAt === 'string' ? data.expiresAt : null,
      };
    }
  } catch {
    // Not JSON: still show a notification (below), never a silent push.
  }
  return null;
}

self.addEventListener('push', (event) => {
  const payload = readPayload(event);
  const title = 'Sign-in request';
  const options = payload
    ? {
        body: `${payload.applicationName} is asking you to approve a sign-in. Tap to review it and type the number shown on your sign-in screen.`,
        tag: payload.transactionId,
        data: { url: `/approve?tx=${encodeURIComponent(payload.transactionId)}`, expiresAt: payload.expiresAt },
      }
    : { body: 'Open Holdfast Push to review your sign-in requests.', tag: 'holdfast-push', data: { url: '/' } };
  event.waitUntil(
    self.registration.showNotification(title, {
      ...options,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      requireInteraction: true,
      renotify: true,
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const same = windows.find((client) => client.url === url);
      if (same) return same.focus();
      // An open window of this app moves to the request; navigate() works only on windows this worker controls.
      const controlled = windows.find((client) => client.url.startsWith(self.location.origin) && 'navigate' in client);
      if (controlled) {
        try {
          const moved = await controlled.navigate(url);
          if (moved) return moved.focus();
        } catch {
          // Not controlled yet: open a window instead.
        }
      }
      return self.clients.openWindow(url);
    })(),
  );
});
