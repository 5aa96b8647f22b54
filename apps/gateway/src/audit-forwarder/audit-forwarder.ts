// The gateway's syslog forwarder of the sealed audit log (issue 12): every gateway with
// HOLDFAST_AUDIT_SYSLOG_URL set contends for the forwarder lock, one forwards (api
// services/audit-log/forwarder.ts), any other takes over when it dies. Each exposes the lag (from
// the database's cursor, so every gateway's metric shows it), whether it holds a connection, and
// how many records it sent: /readyz `auditForwarder` details (never unreadiness: a collector being
// down does not stop a login) and the holdfast_audit_syslog_* metrics.
import { startAuditForwarder, type AuditForwarderStatus } from '@holdfast/api';
import { createDatabase } from '@holdfast/db';
import { readFile } from 'node:fs/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import { createSyslogSink, parseSyslogUrl } from './syslog-sink';

export interface AuditForwarderSettings {
  /** `tcp://host:port` or `tls://host:port`. */
  url: string;
  /** A PEM file of the CA that signs the collector's certificate (tls:// only): trusted instead of the system roots. */
  caFile?: string;
  intervalMs: number;
  batchSize: number;
  databaseUrls: readonly string[];
  gatewayId: string;
}

export interface AuditForwarderReadiness {
  destination: string;
  forwarding: boolean;
  connected: boolean;
  lagLeaves: number | null;
  lastLeafIndex: number | null;
  forwarded: number;
  lastError: string | null;
}

export interface GatewayAuditForwarder {
  readiness: () => AuditForwarderReadiness;
  registerMetrics: (registry: Registry, labels: { gateway: string; region: string }) => void;
  stop: () => Promise<void>;
}

/** The cursor row of the deployment's syslog destination (audit_forwarder_cursors.name). */
export const syslogCursorName = 'syslog';

export async function startGatewayAuditForwarder(options: {
  settings: AuditForwarderSettings;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): Promise<GatewayAuditForwarder> {
  const { settings, log } = options;
  const destination = parseSyslogUrl(settings.url);
  if (settings.caFile !== undefined && destination.protocol !== 'tls') {
    // Refused, not ignored: a CA file says the operator expects an encrypted, checked connection.
    throw new Error('HOLDFAST_AUDIT_SYSLOG_CA_FILE is set but HOLDFAST_AUDIT_SYSLOG_URL is not tls://');
  }
  const ca = settings.caFile === undefined ? undefined : await readFile(settings.caFile, 'utf8');
  const sink = createSyslogSink({ destination, ...(ca === undefined ? {} : { ca }), log });
  // A pool of its own: the lock session stays checked out while this process forwards.
  const db = createDatabase({
    url: settings.databaseUrls,
    poolMax: 2,
    statementTimeoutMs: 30_000,
    applicationName: `holdfast-${settings.gatewayId}-forwarder`,
    onPoolError: (error) => {
      log('db_pool_error', { pool: 'forwarder', message: error.message });
    },
  });
  const forwarder = startAuditForwarder({
    db,
    sink,
    cursorName: syslogCursorName,
    gatewayId: settings.gatewayId,
    settings: { intervalMs: settings.intervalMs, batchSize: settings.batchSize, maxBackoffMs: 5_000 },
    log,
  });
  const readiness = (): AuditForwarderReadiness => {
    const status: AuditForwarderStatus = forwarder.status();
    return {
      destination: sink.destination,
      forwarding: status.isForwarding,
      connected: status.isConnected,
      lagLeaves: status.lagLeaves,
      lastLeafIndex: status.lastLeafIndex,
      forwarded: status.forwarded,
      lastError: status.lastError,
    };
  };
  return {
    readiness,
    registerMetrics: (registry, labels) => {
      const registers = [registry];
      // Merged across cluster workers by the largest value (every worker reads the same cursor).
      new Gauge({
        name: 'holdfast_audit_syslog_lag_leaves',
        help: 'Sealed audit leaves not yet handed to the syslog collector.',
        labelNames: ['gateway', 'region'],
        aggregator: 'max',
        registers,
        collect() {
          const { lagLeaves } = forwarder.status();
          if (lagLeaves !== null) this.set(labels, lagLeaves);
        },
      });
      new Gauge({
        name: 'holdfast_audit_syslog_connected',
        help: '1 while this gateway forwards the audit log and holds a connection to the syslog collector.',
        labelNames: ['gateway', 'region'],
        aggregator: 'max',
        registers,
        collect() {
          this.set(labels, forwarder.status().isConnected ? 1 : 0);
        },
      });
      let reported = 0;
      new Counter({
        name: 'holdfast_audit_syslog_forwarded_total',
        help: 'Sealed audit records this gateway handed to the syslog collector.',
        labelNames: ['gateway', 'region'],
        registers,
        collect() {
          const { forwarded } = forwarder.status();
          this.inc(labels, forwarded - reported);
          reported = forwarded;
        },
      });
    },
    stop: async () => {
      await forwarder.stop();
      await db.close();
    },
  };
}
