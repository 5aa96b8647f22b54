// The jobs that serve no request: the audit sealer (with the history check it must pass before it
// signs) and the retention job. Where they run: a one-process gateway runs them itself; under the
// cluster primary the background process runs them (workers/background.ts) and each request worker
// runs only its own history check (its /readyz reports the alarm).
import { defaultRetentionPolicy, startRetentionJob, type ServiceDeps } from '@holdfast/api';
import { startGatewayAuditLog, type GatewayAuditLog } from './audit-log/audit-log';
import { defaultAuditStateDir, trustedCheckpointPath } from './audit-log/trusted-checkpoint-file';
import type { GatewayEnv } from './env';

export interface BackgroundJobs {
  auditLog: GatewayAuditLog;
  stop: () => Promise<void>;
}

/** Starts the history check and, where this process owns them, the sealer and the retention job. */
export function startBackgroundJobs(options: {
  env: GatewayEnv;
  deps: ServiceDeps;
  /** The trusted checkpoint file's worker part (null: the gateway's own file). */
  checkpointSlot: number | null;
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** False on a request worker beside a background process: only the history check runs here. */
  ownsJobs: boolean;
}): BackgroundJobs {
  const { env, deps, log } = options;
  const retention =
    !options.ownsJobs || env.HOLDFAST_RETENTION_INTERVAL_MS === 0
      ? null
      : startRetentionJob({
          pool: () => deps.db.pool,
          policy: {
            ...defaultRetentionPolicy,
            expiredRowHours: env.HOLDFAST_RETENTION_HOURS,
            authFailureCounterDays: env.HOLDFAST_RETENTION_AUTH_FAILURE_DAYS,
            batchSize: env.HOLDFAST_RETENTION_BATCH,
          },
          intervalMs: env.HOLDFAST_RETENTION_INTERVAL_MS,
          firstRunDelayMs: env.HOLDFAST_RETENTION_FIRST_RUN_MS,
          clock: deps.clock,
          onReport: (report) => {
            const total = Object.values(report.deleted).reduce((sum, n) => sum + n, 0);
            if (total > 0 || Object.keys(report.errors).length > 0) log('retention', { deleted: report.deleted, errors: report.errors });
          },
          onError: (error) => {
            log('retention_failed', { message: error instanceof Error ? error.message : String(error) });
          },
        });
  // Sealer + history check (issue 12), on a pool of their own.
  const auditLog = startGatewayAuditLog({
    deps,
    settings: {
      databaseUrls: env.DATABASE_URL.split(','),
      sealIntervalMs: options.ownsJobs ? env.HOLDFAST_AUDIT_SEAL_INTERVAL_MS : 0,
      sealBatch: env.HOLDFAST_AUDIT_SEAL_BATCH,
      checkIntervalMs: env.HOLDFAST_AUDIT_CHECK_INTERVAL_MS,
      statePath: trustedCheckpointPath({
        stateDir: env.HOLDFAST_AUDIT_STATE_DIR ?? defaultAuditStateDir({ gatewayId: env.HOLDFAST_GATEWAY_ID, databaseUrl: env.DATABASE_URL }),
        gatewayId: env.HOLDFAST_GATEWAY_ID,
        workerSlot: options.checkpointSlot,
      }),
    },
    log,
  });
  return {
    auditLog,
    stop: async () => {
      await retention?.stop();
      await auditLog.stop();
    },
  };
}
