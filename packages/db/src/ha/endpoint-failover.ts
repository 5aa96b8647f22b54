import { errorChain } from './error-chain';

// Errors that mean "this endpoint cannot be reached", as opposed to "the database behind it is
// failing over" (which every endpoint would report alike).
const unreachableCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/** True when the endpoint itself is unreachable (refused, no route), not merely busy or failing over. */
export function isEndpointUnreachable(error: unknown): boolean {
  // Not pg-pool's "timeout exceeded when trying to connect": that also means "every connection
  // is busy", which a failover causes on every endpoint alike.
  for (const { code } of errorChain(error, 6)) if (typeof code === 'string' && unreachableCodes.has(code)) return true;
  return false;
}

export interface EndpointFailover<T> {
  /** The endpoint in use, opened on first use. Read it per use: it changes when an endpoint fails. */
  readonly current: T;
  /** Which endpoint (index into the configured list) is in use. */
  readonly index: number;
  /** Every endpoint opened so far (to close them). */
  opened: () => T[];
  /** An operation failed: when its endpoint is unreachable, later operations use the next one. */
  reportError: (error: unknown) => void;
}

/**
 * Chooses among several endpoints to the same database (e.g. each region's HAProxy, own region
 * first): stays on one until it refuses connections, then moves to the next, round robin. Each
 * endpoint is opened lazily, once, and kept (moving back costs nothing).
 */
export function createEndpointFailover<T>(options: {
  count: number;
  open: (index: number) => T;
  onEndpointChange?: (event: { from: number; to: number }) => void;
}): EndpointFailover<T> {
  if (options.count < 1) throw new Error('at least one database URL is required');
  const endpoints: (T | undefined)[] = Array.from({ length: options.count }, () => undefined);
  let current = 0;
  return {
    get current() {
      const existing = endpoints[current];
      if (existing !== undefined) return existing;
      const opened = options.open(current);
      endpoints[current] = opened;
      return opened;
    },
    get index() {
      return current;
    },
    opened: () => endpoints.filter((endpoint): endpoint is T => endpoint !== undefined),
    reportError: (error) => {
      if (options.count < 2 || !isEndpointUnreachable(error)) return;
      const from = current;
      current = (current + 1) % options.count;
      options.onEndpointChange?.({ from, to: current });
    },
  };
}
