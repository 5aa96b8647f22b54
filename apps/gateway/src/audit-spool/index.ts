// The gateway's audit outage spool (issue 12): the spool itself (audit-spool.ts), its line format
// (spool-line.ts), the replayer (spool-replayer.ts) and its metrics (spool-metrics.ts), started
// together by run-gateway.ts. Services reach it as `ServiceDeps.auditSpool`.
import type { Database } from '@holdfast/db';
import path from 'node:path';
import type { GatewayEnv } from '../env';
import { AuditSpool } from './audit-spool';
import { startSpoolReplayer } from './spool-replayer';

export { AuditSpool, type AuditSpoolStatus } from './audit-spool';
export { registerAuditSpoolMetrics } from './spool-metrics';

/**
 * Where this process spools: per gateway id and database (a spool is replayed only into the
 * database its events were meant for), and per cluster worker slot (one process per directory).
 */
export function auditSpoolDirOf(env: GatewayEnv, slot: number | null): string {
  const databaseName = new URL(env.DATABASE_URL.split(',')[0] ?? '').pathname.replace(/^\//, '') || 'postgres';
  const base = env.HOLDFAST_AUDIT_SPOOL_DIR ?? path.resolve('.holdfast', 'audit-spool', env.HOLDFAST_GATEWAY_ID, databaseName.replace(/[^A-Za-z0-9._-]/g, '_'));
  return slot === null ? base : path.join(base, `w${String(slot)}`);
}

export async function startAuditSpool(options: {
  env: GatewayEnv;
  slot: number | null;
  db: Pick<Database, 'pool' | 'reportError'>;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): Promise<{ spool: AuditSpool; stop: () => Promise<void> }> {
  const { env, log } = options;
  const spool = await AuditSpool.open({ dir: auditSpoolDirOf(env, options.slot), maxBytes: env.HOLDFAST_AUDIT_SPOOL_MAX_BYTES, log });
  const replayer = startSpoolReplayer({
    spool,
    db: options.db,
    batchSize: env.HOLDFAST_AUDIT_SPOOL_REPLAY_BATCH,
    pauseMs: env.HOLDFAST_AUDIT_SPOOL_REPLAY_PAUSE_MS,
    log,
  });
  return {
    spool,
    stop: async () => {
      await replayer.stop();
      await spool.close();
    },
  };
}
