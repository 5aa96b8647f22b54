import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';

export type { Prisma } from './generated/prisma/client';
export * from './generated/prisma/enums';

/** Secrets are never selected unless a query asks for them by name (STYLE habit 6). */
const omitSecrets = { totpFactor: { secretEnc: true } } as const;

function buildPrisma(pool: pg.Pool) {
  return new PrismaClient({ adapter: new PrismaPg(pool), omit: omitSecrets });
}
export type PrismaDb = ReturnType<typeof buildPrisma>;
/** The client handed to `$transaction` callbacks. */
export type PrismaTx = Parameters<Parameters<PrismaDb['$transaction']>[0]>[0];

export interface Database {
  prisma: PrismaDb;
  /** The same pool Prisma uses, for health checks and migrations. */
  pool: pg.Pool;
  close: () => Promise<void>;
}

export function createDatabase(options: {
  url: string;
  poolMax?: number;
  applicationName?: string;
  /** Called for errors on idle connections (e.g. the server went away); they must not crash the process. */
  onPoolError?: (error: Error) => void;
}): Database {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'holdfast',
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  const prisma = buildPrisma(pool);
  return {
    prisma,
    pool,
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}
