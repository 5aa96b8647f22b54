// The admin console's audit trail over HTTP (issue 13):
// - GET /v1/admin/audit/stream — every application's sealed events as Server-Sent Events, in the
//   wire format of GET /v1/audit/stream (`id:` leaf index, `event: audit`, data = AuditRecord) and
//   with its resume semantics (`Last-Event-ID` / `?after=`, `?since=`);
// - GET /v1/admin/audit/export?format=ocsf|ecs|ndjson&<filters> — the console's search as an
//   NDJSON download: sealed events only, each line by the core export mappings the CLI uses.
// Both take an admin session (`Bearer hfa_…`) allowed audit.read, checked by a caller of
// adminProcedure('audit.read') (createAdminAuditAccessCaller): the routes and admin.audit.* can
// never disagree on who may read the trail. A relying application's key is ADMIN_SESSION_INVALID.
//
// Cost model, as the relying application's stream (../audit-stream): the check and the start read
// run inside an admission slot, which is handed back once the response starts; stream reads share a
// per-process limiter; open streams and running exports are capped per worker.
import {
  adminOutageGraceMs,
  auditAdminAuditRead,
  AuditStreamReads,
  auditExportLineOf,
  auditStreamProblemOf,
  createAdminAuditAccessCaller,
  openAuditExport,
  openAuditStream,
  recheckAdminAuditAccess,
  type AdminAuditExport,
  type AuditStream,
  type RequestClient,
  type ServiceDeps,
} from '@holdfast/api';
import { HoldfastError } from '@holdfast/core';
import type http from 'node:http';
import { Gauge, type Registry } from 'prom-client';
import { drained, type AuditStreamEndpointSettings, defaultAuditStreamEndpointSettings } from '../audit-stream/audit-stream-endpoint';
import { auditEventFrame, commentFrame, retryFrame } from '../audit-stream/sse';
import { bearerOf, createSseConnections, isStreamUrl, refuseNonGet, refuseStream, startEventStream } from '../audit-stream/sse-connections';
import { parseAuditStreamRequest } from '../audit-stream/stream-query';
import { parseAdminAuditExportQuery } from './export-query';

export const adminAuditStreamPath = '/v1/admin/audit/stream';
export const adminAuditExportPath = '/v1/admin/audit/export';

export interface AdminAuditRouteSettings extends AuditStreamEndpointSettings {
  /** Exports running at once per worker (each holds a database read per page while it runs). */
  maxExports: number;
  /**
   * How often an open stream's session is checked again (a revoked or expired session's stream
   * ends within it), and how often a running export's is, between pages.
   */
  reauthMs: number;
}

/**
 * The gateway passes the relying applications' stream settings (HOLDFAST_AUDIT_STREAM_MAX,
 * _HEARTBEAT_MS, _POLL_MS) here too: the same limits, counted separately for admin streams.
 */
export const defaultAdminAuditRouteSettings: AdminAuditRouteSettings = {
  ...defaultAuditStreamEndpointSettings,
  maxStreams: 20,
  maxExports: 2,
  reauthMs: 10_000,
};

export interface AdminAuditRoutes {
  /** True for the two paths (with or without a query string). */
  matches: (url: string) => boolean;
  handle: (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void) => void;
  /** Streams and exports open now (this process). */
  readonly open: number;
  close: () => void;
}

function queryOf(url: string): string {
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}

/** 401/403: the session is over or may no longer read the trail. A database failing over is not. */
function isDefinitiveRefusal(error: unknown): boolean {
  const status = auditStreamProblemOf(error).status;
  return status === 401 || status === 403;
}

const isAborted = (signal: AbortSignal): boolean => signal.aborted;

function problemIssues(issues: { path: string; message: string }[]): string {
  return `invalid input: ${issues.map((issue) => `${issue.path === '' ? '(query)' : issue.path}: ${issue.message}`).join('; ')}`;
}

export function createAdminAuditRoutes(options: {
  deps: ServiceDeps;
  registry: Registry;
  labels: { gateway: string; region: string };
  settings?: Partial<AdminAuditRouteSettings>;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): AdminAuditRoutes {
  const { deps, log } = options;
  const settings: AdminAuditRouteSettings = { ...defaultAdminAuditRouteSettings, ...options.settings };
  const streams = createSseConnections({ log, failedEvent: 'admin_audit_stream_failed' });
  const exports = createSseConnections({ log, failedEvent: 'admin_audit_export_failed' });
  const reads = new AuditStreamReads();
  let lastReadErrorLog = 0;

  new Gauge({
    name: 'holdfast_admin_audit_streams_open',
    help: 'Admin audit streams (GET /v1/admin/audit/stream) and exports (GET /v1/admin/audit/export) open now.',
    labelNames: ['gateway', 'region', 'route'],
    registers: [options.registry],
    aggregator: 'sum',
    collect() {
      this.set({ ...options.labels, route: 'stream' }, streams.open);
      this.set({ ...options.labels, route: 'export' }, exports.open);
    },
  });

  const stream = async (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void): Promise<void> => {
    if (refuseNonGet(req, res, adminAuditStreamPath)) return;
    const parsed = parseAuditStreamRequest(queryOf(req.url ?? ''), req.headers['last-event-id']);
    if (!parsed.ok) {
      refuseStream(res, new HoldfastError('BAD_REQUEST', problemIssues(parsed.issues)), parsed.issues);
      return;
    }
    const signal = streams.admit(res, settings.maxStreams);
    if (signal === null) {
      refuseStream(res, new HoldfastError('GATEWAY_OVERLOADED', 'too many open admin audit streams on this gateway; retry on another gateway'));
      return;
    }
    const isGone = (): boolean => signal.aborted;
    const bearer = bearerOf(req);
    let opened: AuditStream;
    try {
      const admin = await createAdminAuditAccessCaller({ deps, bearer, client }, { signal }).audit.stream();
      // Every application's events: `applicationId: undefined` (a relying application's stream is scoped to its own).
      opened = await openAuditStream({
        sql: deps.db.pool,
        applicationId: undefined,
        start: { afterLeafIndex: parsed.request.afterLeafIndex, since: parsed.request.since },
        signals: deps.auditSignals,
        reads,
        settings: { listeningPollMs: settings.listeningPollMs },
        onReadError: (error) => {
          deps.db.reportError(error);
          if (Date.now() - lastReadErrorLog > 60_000) {
            lastReadErrorLog = Date.now();
            log('admin_audit_stream_read_failed', { message: error instanceof Error ? error.message : String(error) });
          }
        },
      });
      await auditAdminAuditRead({
        deps,
        admin,
        route: 'stream',
        afterLeafIndex: opened.afterLeafIndex,
        since: parsed.request.since?.toISOString() ?? null,
        treeSize: opened.treeSize,
      });
    } catch (error) {
      refuseStream(res, error);
      return;
    }
    if (isGone()) return;

    startEventStream(res, gateLeave);
    res.write(
      `${retryFrame(settings.retryMs)}${commentFrame(`holdfast admin audit stream: every application, after leaf ${String(opened.afterLeafIndex)}, tree size ${String(opened.treeSize)}`)}`,
    );
    const heartbeat = setInterval(() => {
      if (!res.writableNeedDrain && !res.writableEnded) res.write(commentFrame('heartbeat'));
    }, settings.heartbeatMs);
    heartbeat.unref();
    // The session is checked again while the stream is open (without counting as activity); a
    // database outage is no refusal, but no licence either past the live map's outage grace (60 s).
    let lastAuthorizedAt = Date.now();
    // One check in flight per stream: during an outage a check may outlast the 10 s period.
    let isChecking = false;
    const reauth = setInterval(() => {
      if (isChecking) return;
      isChecking = true;
      recheckAdminAuditAccess({ deps, bearer, signal }).then(
        () => {
          isChecking = false;
          lastAuthorizedAt = Date.now();
        },
        (error: unknown) => {
          isChecking = false;
          if (isGone()) return;
          if (!isDefinitiveRefusal(error) && Date.now() - lastAuthorizedAt <= adminOutageGraceMs) return;
          log('admin_audit_stream_ended', { reason: isDefinitiveRefusal(error) ? 'session' : 'unverifiable' });
          res.end(commentFrame('admin session ended'));
        },
      );
    }, settings.reauthMs);
    reauth.unref();
    try {
      for await (const batch of opened.batches(signal)) {
        for (const record of batch) {
          if (isGone() || res.writableEnded) break;
          // Backpressure: wait for the client to take what is buffered before writing more.
          if (!res.write(auditEventFrame(record)) && !(await drained(res, settings.drainTimeoutMs))) {
            if (!isGone()) log('admin_audit_stream_stalled', { drainTimeoutMs: settings.drainTimeoutMs });
            res.destroy();
            return;
          }
        }
        if (res.writableEnded) return;
      }
    } finally {
      clearInterval(heartbeat);
      clearInterval(reauth);
      if (!res.writableEnded && !res.destroyed) res.end();
    }
  };

  const download = async (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void): Promise<void> => {
    if (refuseNonGet(req, res, adminAuditExportPath)) return;
    const parsed = parseAdminAuditExportQuery(queryOf(req.url ?? ''));
    if (!parsed.ok) {
      refuseStream(res, new HoldfastError('BAD_REQUEST', problemIssues(parsed.issues)), parsed.issues);
      return;
    }
    const signal = exports.admit(res, settings.maxExports);
    if (signal === null) {
      refuseStream(res, new HoldfastError('GATEWAY_OVERLOADED', 'too many audit exports running on this gateway; retry later or on another gateway'));
      return;
    }
    const { format, ...filters } = parsed.request;
    const bearer = bearerOf(req);
    let opened: AdminAuditExport;
    try {
      const admin = await createAdminAuditAccessCaller({ deps, bearer, client }, { signal }).audit.export();
      opened = await openAuditExport({ sql: deps.db.pool, filters });
      // Once more right before the first row leaves (the filters were resolved meanwhile), then
      // every reauthMs between pages below; and the export is audited before it starts.
      await recheckAdminAuditAccess({ deps, bearer, signal });
      await auditAdminAuditRead({ deps, admin, route: 'export', format, filters, treeSize: opened.checkpoint?.treeSize ?? 0 });
    } catch (error) {
      refuseStream(res, error);
      return;
    }
    if (signal.aborted) return;
    // The download runs outside the admission gate (a slow client must not hold a request slot);
    // `maxExports` bounds it instead.
    res.off('close', gateLeave);
    gateLeave();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="holdfast-audit-${format}-${stamp}.ndjson"`,
      'cache-control': 'no-store',
      // The checkpoint the export is as of: every line carries it too (an empty export has none).
      ...(opened.checkpoint === null ? {} : { 'x-holdfast-audit-tree-size': String(opened.checkpoint.treeSize) }),
    });
    const line = auditExportLineOf[format];
    let lastAuthorizedAt = Date.now();
    try {
      for await (const page of opened.pages(signal)) {
        // A long export: the session is checked again between pages. Revoked, expired or no longer
        // allowed: cut (no final newline). A database outage only past the outage grace.
        if (Date.now() - lastAuthorizedAt >= settings.reauthMs) {
          try {
            await recheckAdminAuditAccess({ deps, bearer, signal });
            lastAuthorizedAt = Date.now();
          } catch (error) {
            if (isDefinitiveRefusal(error) || Date.now() - lastAuthorizedAt > adminOutageGraceMs) {
              log('admin_audit_export_ended', { reason: isDefinitiveRefusal(error) ? 'session' : 'unverifiable' });
              res.destroy();
              return;
            }
          }
        }
        for (const record of page) {
          // Read through a call: the flag changes across awaits.
          if (isAborted(signal)) return;
          if (!res.write(`${line(record)}\n`) && !(await drained(res, settings.drainTimeoutMs))) {
            res.destroy();
            return;
          }
        }
      }
    } catch (error) {
      // Mid-download the status is sent: the only honest signal left is a cut connection (no final newline).
      log('admin_audit_export_failed', { message: error instanceof Error ? error.message : String(error) });
      res.destroy();
      return;
    }
    if (!res.writableEnded && !res.destroyed) res.end();
  };

  const isStream = (url: string): boolean => isStreamUrl(url, adminAuditStreamPath);
  const isExport = (url: string): boolean => isStreamUrl(url, adminAuditExportPath);
  return {
    matches: (url) => isStream(url) || isExport(url),
    handle: (req, res, client, gateLeave) => {
      if (isStream(req.url ?? '')) streams.run(res, () => stream(req, res, client, gateLeave));
      else exports.run(res, () => download(req, res, client, gateLeave));
    },
    get open() {
      return streams.open + exports.open;
    },
    close: () => {
      streams.close();
      exports.close();
    },
  };
}
