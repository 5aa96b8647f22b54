// How many processes a gateway runs (issue 9, "use the machine"). Pure, so the rule is tested on
// its own; main.ts applies it.

export interface ProcessPlan {
  /** Processes serving requests. */
  requestWorkers: number;
  /** A cluster primary with its background process (sealer, retention); false: one process does everything. */
  hasPrimary: boolean;
}

/**
 * Whether every database URL names this machine (a loopback address, or a Unix socket: no host or
 * a host that is a path). A comma-separated DATABASE_URL lists one URL per node.
 */
export function isDatabaseOnThisMachine(databaseUrls: readonly string[]): boolean {
  return (
    databaseUrls.length > 0 &&
    databaseUrls.every((text) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return false;
      }
      const socketHost = url.searchParams.get('host');
      if (socketHost !== null && socketHost.startsWith('/')) return true;
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      return host === '' || host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
    })
  );
}

/**
 * `HOLDFAST_GATEWAY_WORKERS` when set (1: a single process, no primary). By default one request
 * worker per core — or half the cores when the database runs on this machine, since Postgres
 * then takes about as much CPU per verification as the gateway (`npm run bench` here: 411–549 µs
 * against 477–638 µs): on two cores shared with Postgres, one request worker beside the
 * background process used 15–30 % less gateway CPU per verification than two, with a lower p99
 * and the same throughput. With more than one core the default always has the primary and its
 * background process, so sealing never runs on a request's event loop.
 */
export function planProcesses(options: { configured: number | undefined; cores: number; databaseUrls: readonly string[] }): ProcessPlan {
  if (options.configured !== undefined) return { requestWorkers: options.configured, hasPrimary: options.configured > 1 };
  if (options.cores <= 1) return { requestWorkers: 1, hasPrimary: false };
  const requestWorkers = isDatabaseOnThisMachine(options.databaseUrls) ? Math.max(1, Math.floor(options.cores / 2)) : options.cores;
  return { requestWorkers, hasPrimary: true };
}
