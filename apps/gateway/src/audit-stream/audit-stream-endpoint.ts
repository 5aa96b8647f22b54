// GET /v1/audit/stream (issue 12): a relying application's live audit trail as Server-Sent
// Events. Each sealed event is `id: <leaf index>`, `event: audit`, `data: <AuditRecord JSON>`;
// a client resumes exactly after the last id it handled (`Last-Event-ID`, as EventSource sends it,
// or `?after=`), on any gateway, none missed and none twice, because only sealed leaves are sent.
//
// Cost model, like a push long-poll (transport/admission.ts): authentication and the start read
// run inside an admission slot; then the stream hands the slot back and waits on NOTIFY
// (`holdfast_audit`, via the listener connection) holding no slot and no database connection.
// Reads go through a per-process limiter (`AuditStreamReads`), so a seal that wakes every stream
// cannot take the request pool from logins. Open streams are capped per worker.
import {
  AuditStreamReads,
  authenticateAuditStreamApplication,
  openAuditStream,
  type AuditStream,
  type AuthFailureRecorder,
  type RequestClient,
  type ServiceDeps,
} from '@holdfast/api';
import { HoldfastError } from '@holdfast/core';
import type http from 'node:http';
import { Counter, Gauge, type Registry } from 'prom-client';
import { auditEventFrame, commentFrame, retryFrame } from './sse';
import { bearerOf, createSseConnections, isStreamUrl, refuseNonGet, refuseStream, startEventStream, type SseEndpoint } from './sse-connections';
import { parseAuditStreamRequest } from './stream-query';

export const auditStreamPath = '/v1/audit/stream';

/** The stream's path, with or without a query string. */
export function isAuditStreamUrl(url: string): boolean {
  return isStreamUrl(url, auditStreamPath);
}

export interface AuditStreamEndpointSettings {
  /** Open streams per worker process (0: the endpoint refuses every stream). */
  maxStreams: number;
  heartbeatMs: number;
  /** The fallback re-read while notifications arrive (a lost one). */
  listeningPollMs: number;
  /** The `retry:` hint: how long a client waits before reconnecting. */
  retryMs: number;
  /** A client that reads nothing for this long while its buffer is full is disconnected. */
  drainTimeoutMs: number;
}

export const defaultAuditStreamEndpointSettings: AuditStreamEndpointSettings = {
  maxStreams: 100,
  heartbeatMs: 15_000,
  listeningPollMs: 10_000,
  retryMs: 2_000,
  drainTimeoutMs: 60_000,
};

export type AuditStreamEndpoint = SseEndpoint;

/** Resolves when the response can take more ('drain'), or false when it closed or stalled too long. */
export function drained(res: http.ServerResponse, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => {
      done(true);
    };
    const onClose = (): void => {
      done(false);
    };
    const timer = setTimeout(() => {
      done(false);
    }, timeoutMs);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

export function createAuditStreamEndpoint(options: {
  deps: ServiceDeps;
  authFailures?: AuthFailureRecorder | undefined;
  registry: Registry;
  labels: { gateway: string; region: string };
  settings?: Partial<AuditStreamEndpointSettings>;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): AuditStreamEndpoint {
  const { deps, log } = options;
  const settings: AuditStreamEndpointSettings = { ...defaultAuditStreamEndpointSettings, ...options.settings };
  const connections = createSseConnections({ log, failedEvent: 'audit_stream_failed' });
  const reads = new AuditStreamReads();
  let lastReadErrorLog = 0;

  const registers = [options.registry];
  const labelNames = ['gateway', 'region'] as const;
  new Gauge({
    name: 'holdfast_audit_streams_open',
    help: 'Live audit streams (GET /v1/audit/stream) open now.',
    labelNames,
    registers,
    aggregator: 'sum',
    collect() {
      this.set(options.labels, connections.open);
    },
  });
  const sent = new Counter({
    name: 'holdfast_audit_stream_events_sent_total',
    help: 'Sealed audit events written to live audit streams.',
    labelNames,
    registers,
  });
  const refused = new Counter({
    name: 'holdfast_audit_streams_refused_total',
    help: 'Live audit streams refused because this worker had its maximum open (503 GATEWAY_OVERLOADED).',
    labelNames,
    registers,
  });

  const run = async (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void): Promise<void> => {
    if (refuseNonGet(req, res, auditStreamPath)) return;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const parsed = parseAuditStreamRequest(queryAt === -1 ? '' : url.slice(queryAt + 1), req.headers['last-event-id']);
    if (!parsed.ok) {
      const message = `invalid input: ${parsed.issues.map((issue) => `${issue.path === '' ? '(query)' : issue.path}: ${issue.message}`).join('; ')}`;
      refuseStream(res, new HoldfastError('BAD_REQUEST', message), parsed.issues);
      return;
    }
    // Counted from here (authentication included), so the cap holds while many connect at once.
    const signal = connections.admit(res, settings.maxStreams);
    if (signal === null) {
      refused.inc(options.labels);
      refuseStream(res, new HoldfastError('GATEWAY_OVERLOADED', 'too many open audit streams on this gateway; retry on another gateway'));
      return;
    }
    // Read through a call: the flag changes across awaits (a client leaving, shutdown).
    const isGone = (): boolean => signal.aborted;

    let opened: AuditStream;
    try {
      const application = await authenticateAuditStreamApplication({ deps, bearer: bearerOf(req), client, authFailures: options.authFailures, signal });
      // Only this application's events: a relying application never sees another's (an admin
      // caller, issue 13, opens the same stream with applicationId undefined).
      opened = await openAuditStream({
        sql: deps.db.pool,
        applicationId: application.id,
        start: { afterLeafIndex: parsed.request.afterLeafIndex, since: parsed.request.since },
        signals: deps.auditSignals,
        reads,
        settings: { listeningPollMs: settings.listeningPollMs },
        onReadError: (error) => {
          deps.db.reportError(error);
          // One line a minute at most: the database is failing over, the streams keep retrying.
          if (Date.now() - lastReadErrorLog > 60_000) {
            lastReadErrorLog = Date.now();
            log('audit_stream_read_failed', { message: error instanceof Error ? error.message : String(error) });
          }
        },
      });
    } catch (error) {
      refuseStream(res, error);
      return;
    }
    if (isGone()) return;

    startEventStream(res, gateLeave);
    res.write(
      `${retryFrame(settings.retryMs)}${commentFrame(`holdfast audit stream: after leaf ${String(opened.afterLeafIndex)}, tree size ${String(opened.treeSize)}`)}`,
    );
    const heartbeat = setInterval(() => {
      // A full buffer already shows the client is slow; a heartbeat would only add to it.
      if (!res.writableNeedDrain && !res.writableEnded) res.write(commentFrame('heartbeat'));
    }, settings.heartbeatMs);
    heartbeat.unref();
    try {
      for await (const batch of opened.batches(signal)) {
        for (const record of batch) {
          if (isGone()) break;
          const isWritable = res.write(auditEventFrame(record));
          sent.inc(options.labels);
          // Backpressure: wait for the client to take what is buffered before writing more.
          if (!isWritable && !(await drained(res, settings.drainTimeoutMs))) {
            if (!isGone()) log('audit_stream_stalled', { drainTimeoutMs: settings.drainTimeoutMs });
            res.destroy();
            return;
          }
        }
      }
    } finally {
      clearInterval(heartbeat);
      if (!res.writableEnded && !res.destroyed) res.end();
    }
  };

  return {
    handle: (req, res, client, gateLeave) => {
      connections.run(res, () => run(req, res, client, gateLeave));
    },
    get open() {
      return connections.open;
    },
    close: connections.close,
  };
}
