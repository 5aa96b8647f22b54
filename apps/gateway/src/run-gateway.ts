import { startCacheListener } from '@holdfast/api';
import { migrateDatabase } from '@holdfast/db';
import { createServiceDeps } from './deps';
import type { GatewayEnv } from './env';
import { createLogger } from './log';
import { startGatewayServer, type GatewayServer } from './server';

export async function runGateway(env: GatewayEnv): Promise<GatewayServer & { close: () => Promise<void> }> {
  const log = createLogger({ gatewayId: env.HOLDFAST_GATEWAY_ID, region: env.HOLDFAST_REGION });
  const deps = createServiceDeps(env, log);
  if (env.HOLDFAST_MIGRATE) {
    // Try each configured endpoint in turn: the first one may be a region that is down.
    const endpoints = env.DATABASE_URL.split(',').length;
    for (let tried = 1; ; tried += 1) {
      try {
        const applied = await migrateDatabase({ pool: deps.db.pool });
        if (applied.length > 0) log('migrated', { applied });
        break;
      } catch (error) {
        if (tried >= endpoints) throw error;
        deps.db.reportError(error);
      }
    }
  }
  const listener = deps.cache === undefined ? null : startCacheListener({ db: deps.db, cache: deps.cache, log });
  const server = await startGatewayServer({ deps, host: env.HOLDFAST_HOST, port: env.HOLDFAST_PORT, canaryIntervalMs: env.HOLDFAST_CANARY_INTERVAL_MS, log });
  log('listening', { url: server.url });
  return {
    ...server,
    close: async () => {
      await server.stop();
      await listener?.stop();
      await deps.db.close();
      log('stopped');
    },
  };
}
