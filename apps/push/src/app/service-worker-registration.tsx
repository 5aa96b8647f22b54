'use client';
import { useEffect } from 'react';

/**
 * Registers /sw.js for the whole origin on every page: it shows the notification for each push
 * and the offline page when the network is gone. `updateViaCache: 'none'` makes the browser check
 * the worker script itself on every load, so a fixed worker reaches phones at once.
 */
export function ServiceWorkerRegistration() {
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' }).catch((error: unknown) => {
      console.error('holdfast push: service worker registration failed', error);
    });
  }, []);
  return null;
}
