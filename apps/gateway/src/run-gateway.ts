import { applyAdminOrigin, createAuthFailureRecorder, startCacheListener, type ServiceDeps } from '@holdfast/api';
import { createDatabase, migrateDatabase } from '@holdfast/db';
import { createGatewayOverview } from './admin-overview';
import { startGatewayAuditForwarder } from './audit-forwarder';
import { startAuditSpool } from './audit-spool';
import { gatewayLifecycleAudit } from './audit-lifecycle';
import { startBackgroundJobs } from './background-jobs';
import { createServiceDeps } from './deps';
import type { GatewayEnv } from './env';
import { createLogger } from './log';
import type { FloodShieldLimits } from './rate-limit';
import { startGatewayServer, type GatewayServer } from './server';
import { startGatewayWebhookWorker } from './webhook-worker';
import { workerSlot } from './workers/identity';
import { defaultAdmissionLimits } from './transport/admission';

function rateLimitsOf(env: GatewayEnv): FloodShieldLimits {
  const failures = { ratePerSecond: env.HOLDFAST_RATE_AUTH_FAILURES_PER_SECOND, burst: env.HOLDFAST_RATE_AUTH_FAILURES_BURST };
  return {
    perIp: { ratePerSecond: env.HOLDFAST_RATE_IP_PER_SECOND, burst: env.HOLDFAST_RATE_IP_BURST },
    perKey: { ratePerSecond: env.HOLDFAST_RATE_KEY_PER_SECOND, burst: env.HOLDFAST_RATE_KEY_BURST },
    failuresPerIp: failures,
    failuresPerKey: failures,
    // As long as the metadata cache may keep a key: a revoked key fails in full anyway.
    knownCredentialTtlMs: 10 * 60_000,
  };
}

export async function runGateway(
  env: GatewayEnv,
  options: {
    /** False for a cluster worker: the primary's background process seals and runs retention (workers/background.ts). */
    ownsBackgroundJobs: boolean;
  },
): Promise<GatewayServer & { close: () => Promise<void> }> {
  const log = createLogger({ gatewayId: env.HOLDFAST_GATEWAY_ID, region: env.HOLDFAST_REGION });
  const deps = createServiceDeps(env, log);
  // The canary, /readyz's probe and the failure-counter writes get a pool of their own: a flood
  // that holds every request connection must not make a working gateway look dead (invariant 9)
  // nor stop failed authentications being counted.
  const reservedDeps: ServiceDeps = {
    ...deps,
    db: createDatabase({
      url: env.DATABASE_URL.split(','),
      statementTimeoutMs: env.HOLDFAST_REQUEST_DEADLINE_MS,
      poolMax: env.HOLDFAST_DB_RESERVED_POOL_MAX,
      applicationName: `holdfast-${env.HOLDFAST_GATEWAY_ID}-reserved`,
      onPoolError: (error) => {
        log('db_pool_error', { pool: 'reserved', message: error.message });
      },
    }),
  };
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
        reservedDeps.db.reportError(error); // the same endpoint is down for the reserved pool
      }
    }
  }
  // Admin passkeys are bound to the admin console's origin (issue 13). A database that is failing
  // over must not stop the gateway starting: the next start (or another gateway) applies it.
  await applyAdminOrigin({ sql: deps.db.pool, origin: env.HOLDFAST_ADMIN_ORIGIN }).catch((error: unknown) => {
    log('admin_origin_not_applied', { message: error instanceof Error ? error.message : String(error) });
  });
  // After the migrations (the replay needs event_id): events written on their own wait on disk
  // while the database cannot take them, and are replayed over the reserved pool (issue 12).
  const auditSpool = await startAuditSpool({ env, slot: workerSlot(), db: reservedDeps.db, log });
  deps.auditSpool = auditSpool.spool;
  reservedDeps.auditSpool = auditSpool.spool;
  // Over the reserved pool: a flood that holds every request connection must not hide its own summary.
  const lifecycle = gatewayLifecycleAudit(reservedDeps, workerSlot());
  const listener =
    deps.cache === undefined
      ? null
      : startCacheListener({
          db: deps.db,
          cache: deps.cache,
          log,
          ...(deps.pushSignals === undefined ? {} : { pushSignals: deps.pushSignals }),
          ...(deps.auditSignals === undefined ? {} : { auditSignals: deps.auditSignals }),
        });
  const webhooks = startGatewayWebhookWorker({ env, deps, log });
  let lastFlushError = 0;
  const authFailures = createAuthFailureRecorder({
    db: reservedDeps.db,
    gateway: deps.gateway,
    clock: deps.clock,
    onError: (error) => {
      reservedDeps.db.reportError(error);
      // At most one line a minute: the database is failing over, the counts wait in memory.
      if (Date.now() - lastFlushError > 60_000) {
        lastFlushError = Date.now();
        log('auth_failure_flush_failed', { message: error instanceof Error ? error.message : String(error) });
      }
    },
  });
  const flushTimer = setInterval(() => {
    void authFailures.flush();
  }, env.HOLDFAST_AUTH_FAILURE_FLUSH_MS);
  // The sealer (+ its history check) and the retention job; beside a background process (cluster
  // workers) this worker runs only the history check: sealing passes stay off the request loop.
  const jobs = startBackgroundJobs({ env, deps, checkpointSlot: workerSlot(), log, ownsJobs: options.ownsBackgroundJobs });
  const { auditLog } = jobs;
  // Syslog forwarder (issue 12): one gateway at a time forwards sealed records; off when unset.
  const auditForwarder =
    env.HOLDFAST_AUDIT_SYSLOG_URL === undefined
      ? null
      : await startGatewayAuditForwarder({
          settings: {
            url: env.HOLDFAST_AUDIT_SYSLOG_URL,
            ...(env.HOLDFAST_AUDIT_SYSLOG_CA_FILE === undefined ? {} : { caFile: env.HOLDFAST_AUDIT_SYSLOG_CA_FILE }),
            intervalMs: env.HOLDFAST_AUDIT_SYSLOG_INTERVAL_MS,
            batchSize: env.HOLDFAST_AUDIT_SYSLOG_BATCH,
            databaseUrls: env.DATABASE_URL.split(','),
            gatewayId: env.HOLDFAST_GATEWAY_ID,
          },
          log,
        });
  // The live failover map (issue 13): polls Patroni, etcd, HAProxy and gateways, never the database.
  const overview = await createGatewayOverview({ topologyFile: env.HOLDFAST_TOPOLOGY_FILE, gatewayId: env.HOLDFAST_GATEWAY_ID, region: env.HOLDFAST_REGION });
  deps.overview = overview.collector;
  const admissionDefaults = defaultAdmissionLimits(env.HOLDFAST_DB_POOL_MAX);
  const server = await startGatewayServer({
    deps,
    reservedDeps,
    auditLog,
    ...(auditForwarder === null ? {} : { auditForwarder }),
    auditSpool: auditSpool.spool,
    auditStream: {
      maxStreams: env.HOLDFAST_AUDIT_STREAM_MAX,
      heartbeatMs: env.HOLDFAST_AUDIT_STREAM_HEARTBEAT_MS,
      listeningPollMs: env.HOLDFAST_AUDIT_STREAM_POLL_MS,
    },
    authFailures,
    rateLimits: rateLimitsOf(env),
    host: env.HOLDFAST_HOST,
    port: env.HOLDFAST_PORT,
    canaryIntervalMs: env.HOLDFAST_CANARY_INTERVAL_MS,
    onShed: lifecycle.shed,
    // A bounded queue per worker (issue 9, surges): the excess is refused fast, before any work.
    admission: {
      maxInFlight: env.HOLDFAST_ADMISSION_MAX_IN_FLIGHT ?? admissionDefaults.maxInFlight,
      maxQueue: env.HOLDFAST_ADMISSION_MAX_QUEUE,
      maxWaitMs: env.HOLDFAST_ADMISSION_MAX_WAIT_MS,
      shedWaitMs: env.HOLDFAST_ADMISSION_SHED_WAIT_MS,
      minInFlight: env.HOLDFAST_ADMISSION_MIN_IN_FLIGHT ?? admissionDefaults.minInFlight,
    },
    log,
  });
  log('listening', { url: server.url });
  overview.setSelfUrl(server.url);
  // Not awaited: with no database the write waits out its deadline and then spools; serving must not wait.
  void lifecycle.started({ url: server.url });
  return {
    ...server,
    close: async () => {
      await server.stop();
      overview.collector.close();
      await webhooks.stop();
      clearInterval(flushTimer);
      await auditForwarder?.stop();
      await jobs.stop();
      // Before the spool closes: with no database, the stop waits on disk for the next start's replay.
      await lifecycle.stopped();
      await auditSpool.stop();
      // Counts still in memory are written before the pool closes.
      await authFailures.flush({ all: true });
      await listener?.stop();
      await deps.db.close();
      await reservedDeps.db.close();
      log('stopped');
    },
  };
}
