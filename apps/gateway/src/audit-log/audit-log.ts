// The gateway's part of the sealed audit log (issue 12): the sealer loop (elected across gateways
// by an advisory lock) and the history check — this process keeps the latest checkpoint it
// verified on its own disk and checks every newer one the database shows it against it. A
// database whose tree went backwards or forked raises the `history_rewritten` alarm: /readyz
// details, a metric, a log line and an `audit.history_rewritten` audit row.
//
// The alarm does NOT make /readyz 503: readiness means "a login works here" (invariant 9), and it
// still does. Taking every gateway out of rotation would turn a rewritten table — something an
// attacker with database access can cause — into an outage of every login; the alarm is for
// operators (page on the metric), and this process stops sealing, so it never signs over a
// history it doubts.
import {
  checkLatestCheckpoint,
  readSealLagMs,
  startAuditSealer,
  type AuditSealer,
  type HistoryRewrittenReason,
  type ServiceDeps,
  type TrustedCheckpoint,
} from '@holdfast/api';
import { createDatabase, writeAuditEvent, type Database } from '@holdfast/db';
import { Gauge, type Registry } from 'prom-client';
import { readTrustedCheckpoint, writeTrustedCheckpoint } from './trusted-checkpoint-file';

export type AuditAlarm = 'history_rewritten';

export interface AuditReadiness {
  /** The largest tree this process has verified (0: nothing sealed yet). */
  treeSize: number;
  /** Age of the oldest row not yet sealed, by the database's clock (null: not measured yet). */
  lagMs: number | null;
  alarm: AuditAlarm | null;
}

export interface GatewayAuditLog {
  readiness: () => AuditReadiness;
  /** Adds the audit gauges to the gateway's registry (read at scrape time). */
  registerMetrics: (registry: Registry, labels: { gateway: string; region: string }) => void;
  stop: () => Promise<void>;
}

export interface GatewayAuditSettings {
  databaseUrls: readonly string[];
  /** 0: this gateway never seals (others may). */
  sealIntervalMs: number;
  sealBatch: number;
  /** 0: no history check (and no alarm) on this gateway. */
  checkIntervalMs: number;
  /** The trusted checkpoint's file (trusted-checkpoint-file.ts). */
  statePath: string;
}

export function startGatewayAuditLog(options: {
  deps: ServiceDeps;
  settings: GatewayAuditSettings;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): GatewayAuditLog {
  const { deps, settings, log } = options;
  // A pool of its own: the sealer's lock session is held for as long as it seals, and neither it
  // nor the checks may wait behind (or be counted with) request traffic.
  const db: Database = createDatabase({
    url: settings.databaseUrls,
    poolMax: 2,
    statementTimeoutMs: 30_000,
    applicationName: `holdfast-${deps.gateway.id}-audit`,
    onPoolError: (error) => {
      log('db_pool_error', { pool: 'audit', message: error.message });
    },
  });
  const state: { trusted: TrustedCheckpoint | null; isLoaded: boolean; lagMs: number | null; alarm: AuditAlarm | null } = {
    trusted: null,
    isLoaded: false,
    lagMs: null,
    alarm: null,
  };

  const raiseAlarm = async (reason: HistoryRewrittenReason | 'state_unreadable', fields: Record<string, unknown>): Promise<void> => {
    if (state.alarm !== null) return;
    state.alarm = 'history_rewritten';
    log('audit_history_rewritten', { reason, ...fields });
    await writeAuditEvent(db.pool, {
      type: 'audit.history_rewritten',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      detail: { reason, ...fields },
    }).catch((error: unknown) => {
      log('audit_alarm_write_failed', { message: error instanceof Error ? error.message : String(error) });
    });
  };

  const check = async (): Promise<void> => {
    if (!state.isLoaded) {
      try {
        state.trusted = await readTrustedCheckpoint(settings.statePath);
      } catch (error) {
        // Not replaced by the database's word: a damaged file is a question for an operator.
        await raiseAlarm('state_unreadable', { path: settings.statePath, message: error instanceof Error ? error.message : String(error) });
      }
      state.isLoaded = true;
    }
    if (state.alarm === null) {
      const result = await checkLatestCheckpoint({ sql: db.pool, trusted: state.trusted });
      if (result.status === 'advanced') {
        await writeTrustedCheckpoint(settings.statePath, result.trusted);
        state.trusted = result.trusted;
      } else if (result.status === 'rewritten') {
        await raiseAlarm(result.reason, {
          trustedTreeSize: result.trustedTreeSize,
          databaseTreeSize: result.databaseTreeSize,
          trustedRootHash: state.trusted === null ? null : Buffer.from(state.trusted.rootHash).toString('base64'),
        });
      }
    }
    state.lagMs = await readSealLagMs(db.pool);
  };

  let checkTimer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | null = null;
  let isStopped = false;
  const scheduleCheck = (delayMs: number): void => {
    if (isStopped || settings.checkIntervalMs === 0) return;
    checkTimer = setTimeout(() => {
      checking = check()
        .catch((error: unknown) => {
          db.reportError(error);
          log('audit_check_failed', { message: error instanceof Error ? error.message : String(error) });
        })
        .finally(() => {
          checking = null;
          scheduleCheck(settings.checkIntervalMs);
        });
    }, delayMs);
    checkTimer.unref();
  };
  scheduleCheck(0);

  const sealer: AuditSealer | null =
    settings.sealIntervalMs === 0
      ? null
      : startAuditSealer({
          db,
          keyring: deps.keyring,
          random: deps.random,
          settings: { intervalMs: settings.sealIntervalMs, batchSize: settings.sealBatch },
          isHistoryTrusted: () => state.alarm === null,
          log,
        });

  const readiness = (): AuditReadiness => ({ treeSize: state.trusted?.treeSize ?? 0, lagMs: state.lagMs, alarm: state.alarm });

  return {
    readiness,
    registerMetrics: (registry, labels) => {
      const registers = [registry];
      // Merged across workers by the largest value (an alarm in any worker shows).
      new Gauge({
        name: 'holdfast_audit_tree_size',
        help: 'Leaves in the largest sealed audit tree this gateway has verified.',
        labelNames: ['gateway', 'region'],
        aggregator: 'max',
        registers,
        collect() {
          this.set(labels, readiness().treeSize);
        },
      });
      new Gauge({
        name: 'holdfast_audit_seal_lag_seconds',
        help: 'Age of the oldest committed audit row not yet sealed (0 when all are).',
        labelNames: ['gateway', 'region'],
        aggregator: 'max',
        registers,
        collect() {
          const { lagMs } = readiness();
          if (lagMs !== null) this.set(labels, lagMs / 1000);
        },
      });
      new Gauge({
        name: 'holdfast_audit_history_rewritten',
        help: '1 when the database showed an audit history inconsistent with the checkpoint this gateway verified.',
        labelNames: ['gateway', 'region'],
        aggregator: 'max',
        registers,
        collect() {
          this.set(labels, readiness().alarm === null ? 0 : 1);
        },
      });
    },
    stop: async () => {
      isStopped = true;
      clearTimeout(checkTimer);
      await checking;
      await sealer?.stop();
      await db.close();
    },
  };
}
