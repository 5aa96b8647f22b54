import type { ServiceDeps } from '../deps';

/** Read through the gateway's metadata cache when it has one; straight from the loader otherwise. */
export async function cached<T>(deps: ServiceDeps, key: string, load: () => Promise<{ value: T; tags: string[]; isCacheable?: boolean }>): Promise<T> {
  if (deps.cache === undefined) return (await load()).value;
  return deps.cache.getOrLoad(key, load);
}
