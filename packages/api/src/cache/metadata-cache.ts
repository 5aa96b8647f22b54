/**
 * A per-gateway cache of metadata read on every request (an application by API key, a user's
 * factor list). Correctness rules (DESIGN invariant 8):
 *  - entries are dropped when Postgres NOTIFY says their tag changed;
 *  - every entry expires after `ttlMs` whatever happens (a cap if a notification is ever missed);
 *  - while the LISTEN connection is down, nothing is served from the cache (notifications sent
 *    meanwhile are lost), and everything is dropped when it comes back;
 *  - replay state, counters and challenges are never put here.
 */
const maxEntries = 50_000;

export class MetadataCache {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number; tags: string[] }>();
  private readonly keysByTag = new Map<string, Set<string>>();
  private isListening = false;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value, or `load()` (then cached under `tags` unless it returns `cacheable: false`). */
  async getOrLoad<T>(key: string, load: () => Promise<{ value: T; tags: string[]; isCacheable?: boolean }>): Promise<T> {
    if (this.isListening) {
      const hit = this.entries.get(key);
      if (hit !== undefined && hit.expiresAt > this.now()) return hit.value as T;
    }
    const loaded = await load();
    if (this.isListening && loaded.isCacheable !== false) this.set(key, loaded.value, loaded.tags);
    return loaded.value;
  }

  /** A notification arrived: drop every entry carrying this tag. */
  invalidate(tag: string): void {
    const keys = this.keysByTag.get(tag);
    if (keys === undefined) return;
    for (const key of keys) this.entries.delete(key);
    this.keysByTag.delete(tag);
  }

  /** The LISTEN connection came up (true) or went down (false); both drop everything. */
  setListening(isListening: boolean): void {
    this.isListening = isListening;
    this.entries.clear();
    this.keysByTag.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private set(key: string, value: unknown, tags: string[]): void {
    // A bound on memory: starting over is always correct for a cache.
    if (this.entries.size >= maxEntries) this.setListening(this.isListening);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs, tags });
    for (const tag of tags) {
      let keys = this.keysByTag.get(tag);
      if (keys === undefined) {
        keys = new Set();
        this.keysByTag.set(tag, keys);
      }
      keys.add(key);
    }
  }
}
