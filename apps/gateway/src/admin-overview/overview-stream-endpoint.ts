// GET /v1/admin/overview/stream (issue 13): the live failover map as Server-Sent Events. Each
// event is `event: overview` with a ClusterOverview; one goes out within a poll (~1 s) of a change
// and at least every `maxQuietMs` otherwise, so "last updated" never lies for long.
//
// Cost model, like the audit stream (../audit-stream): the admin session is checked inside an
// admission slot, through the same middleware as admin.overview.snapshot (a caller of that
// sub-router); then the stream hands the slot back and only listens to this process's collector —
// no slot, no database connection. The session is checked again every `reauthMs`: a revoked or
// expired session's stream ends (adminProcedure's 60-s grace covers a database that is down).
// Open streams are capped per worker.
import { adminOutageGraceMs, auditStreamProblemOf, createAdminOverviewCaller, type RequestClient, type ServiceDeps } from '@holdfast/api';
import { HoldfastError } from '@holdfast/core';
import type { ClusterOverview } from '@holdfast/validators';
import type http from 'node:http';
import { Gauge, type Registry } from 'prom-client';
import { commentFrame, retryFrame } from '../audit-stream/sse';
import { bearerOf, createSseConnections, isStreamUrl, refuseNonGet, refuseStream, startEventStream, type SseEndpoint } from '../audit-stream/sse-connections';
import { overviewChangeKey, overviewFrame } from './overview-frames';

export const adminOverviewStreamPath = '/v1/admin/overview/stream';

export function isAdminOverviewStreamUrl(url: string): boolean {
  return isStreamUrl(url, adminOverviewStreamPath);
}

export interface AdminOverviewStreamSettings {
  /** Open streams per worker process (0: every stream is refused). */
  maxStreams: number;
  /** The longest time between two events, changed or not. */
  maxQuietMs: number;
  /** How often the admin session is checked again while the stream is open. */
  reauthMs: number;
  /** The `retry:` hint. */
  retryMs: number;
  /** A client whose buffer stays full this long is disconnected (snapshots are skipped meanwhile). */
  stallTimeoutMs: number;
}

export const defaultAdminOverviewStreamSettings: AdminOverviewStreamSettings = {
  maxStreams: 20,
  maxQuietMs: 5_000,
  reauthMs: 60_000,
  retryMs: 2_000,
  stallTimeoutMs: 30_000,
};

export type AdminOverviewStreamEndpoint = SseEndpoint;

/** 401/403: the session is over or may not watch — end the stream. Anything else (a database failing over) is not. */
function isDefinitiveRefusal(error: unknown): boolean {
  const status = auditStreamProblemOf(error).status;
  return status === 401 || status === 403;
}

export function createAdminOverviewStreamEndpoint(options: {
  /** The gateway's deps without the request metrics hook: viewers' re-checks are not API calls. */
  deps: ServiceDeps;
  registry: Registry;
  labels: { gateway: string; region: string };
  settings?: Partial<AdminOverviewStreamSettings>;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): AdminOverviewStreamEndpoint {
  const { deps, log } = options;
  const settings: AdminOverviewStreamSettings = { ...defaultAdminOverviewStreamSettings, ...options.settings };
  const connections = createSseConnections({ log, failedEvent: 'admin_overview_stream_failed' });

  new Gauge({
    name: 'holdfast_admin_overview_streams_open',
    help: 'Live failover map streams (GET /v1/admin/overview/stream) open now.',
    labelNames: ['gateway', 'region'],
    registers: [options.registry],
    aggregator: 'sum',
    collect() {
      this.set(options.labels, connections.open);
    },
  });

  const run = async (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void): Promise<void> => {
    if (refuseNonGet(req, res, adminOverviewStreamPath)) return;
    const { overview } = deps;
    if (overview === undefined) {
      refuseStream(res, new HoldfastError('INTERNAL', 'the live failover map is not running on this gateway'));
      return;
    }
    // Counted from here (the session check included), so the cap holds while many connect at once.
    const signal = connections.admit(res, settings.maxStreams);
    if (signal === null) {
      refuseStream(res, new HoldfastError('GATEWAY_OVERLOADED', 'too many open failover map streams on this gateway; retry on another gateway'));
      return;
    }
    const bearer = bearerOf(req);
    // The same procedure, middleware and checks as admin.overview.snapshot.
    const authorize = (): Promise<ClusterOverview> => createAdminOverviewCaller({ deps, bearer, client }, { signal }).snapshot();

    let first: ClusterOverview;
    try {
      first = await authorize();
    } catch (error) {
      refuseStream(res, error);
      return;
    }
    if (signal.aborted) return;

    startEventStream(res, gateLeave);
    res.write(`${retryFrame(settings.retryMs)}${commentFrame('holdfast live failover map')}${overviewFrame(first)}`);
    let lastKey = overviewChangeKey(first);
    let lastSentAt = Date.now();
    let stalledSince: number | null = null;

    const onSnapshot = (snapshot: ClusterOverview): void => {
      if (signal.aborted || res.writableEnded) return;
      const key = overviewChangeKey(snapshot);
      if (key === lastKey && Date.now() - lastSentAt < settings.maxQuietMs) return;
      // Backpressure: a newer snapshot replaces an unsent one, so a slow client just skips some.
      if (res.writableNeedDrain) {
        stalledSince ??= Date.now();
        if (Date.now() - stalledSince > settings.stallTimeoutMs) {
          log('admin_overview_stream_stalled', { stallTimeoutMs: settings.stallTimeoutMs });
          res.destroy();
        }
        return;
      }
      stalledSince = null;
      res.write(overviewFrame(snapshot));
      lastKey = key;
      lastSentAt = Date.now();
    };
    const unsubscribe = overview.subscribe(onSnapshot);
    // The session is re-checked while the stream is open. A database outage is not a refusal, but
    // it is no licence either: once no check has succeeded for the outage grace (the same 60 s the
    // snapshot gets), the stream ends — a revoked or expired session cannot watch a long outage.
    let lastAuthorizedAt = Date.now();
    const reauth = setInterval(() => {
      authorize().then(
        () => {
          lastAuthorizedAt = Date.now();
        },
        (error: unknown) => {
          if (signal.aborted) return;
          if (!isDefinitiveRefusal(error) && Date.now() - lastAuthorizedAt <= adminOutageGraceMs) return;
          res.end(commentFrame('admin session ended'));
        },
      );
    }, settings.reauthMs);
    reauth.unref();
    signal.addEventListener(
      'abort',
      () => {
        unsubscribe();
        clearInterval(reauth);
      },
      { once: true },
    );
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
