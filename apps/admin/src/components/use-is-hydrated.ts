import { useSyncExternalStore } from 'react';

const subscribe = () => () => undefined;

/**
 * False in the server's HTML and until React has hydrated, true after. Forms that need their
 * script stay disabled until then: a field typed into before hydration would be reset, and a
 * submit would fall back to a plain GET of the page.
 */
export function useIsHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
