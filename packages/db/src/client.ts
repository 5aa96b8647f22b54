import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';
import { createEndpointFailover } from './ha/endpoint-failover';

export type { Prisma } from './generated/prisma/client';
export * from './generated/prisma/enums';

/** Secrets are never selected unless a query asks for them by name (STYLE habit 6). */
const omitSecrets = { totpFactor: { secretEnc: true }, applicationWebhook: { secretEnc: true } } as const;

function buildPrisma(pool: pg.Pool) {
  return new PrismaClient({ adapter: new PrismaPg(pool), omit: omitSecrets });
}
export type PrismaDb = ReturnType<typeof buildPrisma>;
/** The client handed to `$transaction` callbacks. */
export type PrismaTx = Parameters<Parameters<PrismaDb['$transaction']>[0]>[0];

export interface Database {
  /** Prisma over the endpoint in use. Read it per use: it changes when an endpoint fails. */
  readonly prisma: PrismaDb;
  /** The pool Prisma uses, for hand-written SQL, health checks and migrations. */
  readonly pool: pg.Pool;
  /** Which endpoint (index into the configured list) is in use. */
  readonly endpointIndex: number;
  /**
   * Tell the database an operation failed: when the endpoint itself is unreachable (refused,
   * no route), later operations move on to the next endpoint in the list (ha/endpoint-failover.ts).
   */
  reportError: (error: unknown) => void;
  close: () => Promise<void>;
}

export interface DatabaseOptions {
  /** One or more connection strings to the same database (e.g. each region's HAProxy), preferred first. */
  url: string | readonly string[];
  poolMax?: number;
  applicationName?: string;
  /** Server-side limit per statement; a request deadline must be able to end a blocked commit. */
  statementTimeoutMs?: number;
  /** How long a new connection may take (default 1 s); a checker on a busy machine may wait longer than a gateway should. */
  connectTimeoutMs?: number;
  /** Called for errors on idle connections (e.g. the server went away); they must not crash the process. */
  onPoolError?: (error: Error) => void;
  onEndpointChange?: (event: { from: number; to: number }) => void;
}

export function createDatabase(options: DatabaseOptions): Database {
  const urls = typeof options.url === 'string' ? [options.url] : [...options.url];
  if (urls.length === 0) throw new Error('at least one database URL is required');
  const endpoints = createEndpointFailover({
    count: urls.length,
    open: (index) => {
      const pool = new pg.Pool({
        connectionString: urls[index],
        max: options.poolMax ?? 10,
        // Short: the endpoint is a local HAProxy; a long wait only hides a full pool or a failover.
        connectionTimeoutMillis: options.connectTimeoutMs ?? 1_000,
        idleTimeoutMillis: 30_000,
        application_name: options.applicationName ?? 'holdfast',
        ...(options.statementTimeoutMs === undefined ? {} : { statement_timeout: options.statementTimeoutMs }),
        keepAlive: true,
      });
      pool.on('error', (error) => options.onPoolError?.(error));
      // Built on first use: each Prisma client instantiates its own query-compiler WebAssembly
      // (tens of MB per process), and a pool used only for hand-written SQL never needs one.
      let prisma: PrismaDb | null = null;
      return {
        pool,
        get prisma(): PrismaDb {
          prisma ??= buildPrisma(pool);
          return prisma;
        },
        disconnect: async (): Promise<void> => {
          await prisma?.$disconnect();
        },
      };
    },
    ...(options.onEndpointChange === undefined ? {} : { onEndpointChange: options.onEndpointChange }),
  });

  return {
    get prisma() {
      return endpoints.current.prisma;
    },
    get pool() {
      return endpoints.current.pool;
    },
    get endpointIndex() {
      return endpoints.index;
    },
    reportError: endpoints.reportError,
    close: async () => {
      await Promise.all(
        endpoints.opened().map(async (endpoint) => {
          await endpoint.disconnect();
          await endpoint.pool.end().catch(() => undefined);
        }),
      );
    },
  };
}
