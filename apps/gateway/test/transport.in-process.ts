// In-process gateways for the transport tests: the real `startGatewayServer` (thin transport, shield,
// admission queue) over real deps and a per-file test database, so a test can hand it options that
// the process entry point takes from the environment, and can hold the standalone adapter beside it.
import { createDatabase } from '@holdfast/db';
import type { ServiceDeps } from '@holdfast/api';
import { createTestDatabase, type TestDatabase } from '@holdfast/db/testing';
import { inject } from 'vitest';
import { createServiceDeps } from '../src/deps';
import { gatewayEnvSchema } from '../src/env';
import type { FloodShieldLimits } from '../src/rate-limit';
import { startGatewayServer, type GatewayServer } from '../src/server';
import type { AdmissionLimits } from '../src/transport/admission';
import { testKeys } from './support/gateways';

const generous = { ratePerSecond: 100_000, burst: 100_000 };
export const generousRateLimits: FloodShieldLimits = {
  perIp: generous,
  perKey: generous,
  failuresPerIp: generous,
  failuresPerKey: generous,
  knownCredentialTtlMs: 60_000,
};

export interface InProcessGateway extends GatewayServer {
  deps: ServiceDeps;
  database: TestDatabase;
  logs: { event: string; fields?: Record<string, unknown> }[];
  close: () => Promise<void>;
}

export async function startInProcessGateway(options: {
  gatewayId: string;
  admission?: Partial<AdmissionLimits>;
  poolMax?: number;
  canaryIntervalMs?: number;
}): Promise<InProcessGateway> {
  const database = await createTestDatabase(inject('pgAdminUrl'));
  const env = gatewayEnvSchema.parse({
    DATABASE_URL: database.gatewayUrl,
    HOLDFAST_GATEWAY_ID: options.gatewayId,
    HOLDFAST_REGION: 'test',
    HOLDFAST_ENCRYPTION_KEYS: `k1:${testKeys.k1},k2:${testKeys.k2}`,
    HOLDFAST_ACTIVE_KEY_ID: 'k1',
    // No cache: the cache listener is not started here, and nothing must be served stale.
    HOLDFAST_CACHE_TTL_MS: '0',
    HOLDFAST_DB_POOL_MAX: String(options.poolMax ?? 10),
  });
  const logs: InProcessGateway['logs'] = [];
  const log = (event: string, fields?: Record<string, unknown>): void => {
    logs.push(fields === undefined ? { event } : { event, fields });
  };
  const deps = createServiceDeps(env, log);
  // As run-gateway.ts does: the canary and /readyz on a pool of their own, so requests that hold
  // every request connection (a surge, a lock) cannot make the gateway look dead (invariant 9).
  const reservedDeps = { ...deps, db: createDatabase({ url: database.gatewayUrl, poolMax: env.HOLDFAST_DB_RESERVED_POOL_MAX }) };
  const server = await startGatewayServer({
    deps,
    reservedDeps,
    rateLimits: generousRateLimits,
    ...(options.admission === undefined ? {} : { admission: options.admission }),
    host: '127.0.0.1',
    port: 0,
    canaryIntervalMs: options.canaryIntervalMs ?? 3_600_000,
    log,
  });
  return {
    ...server,
    deps,
    database,
    logs,
    close: async () => {
      await server.stop();
      await deps.db.close();
      await reservedDeps.db.close();
      await database.drop();
    },
  };
}
