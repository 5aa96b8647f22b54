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
import { auditStreamProblemOf, createAdminOverviewCaller, problemOf, type RequestClient, type ServiceDeps } from '@holdfast/api';
import { HoldfastError } from '@holdfast/core';
import type { ClusterOverview } from '@holdfast/validators';
import type http from 'node:http';
import { Gauge, type Registry } from 'prom-client';
import { commentFrame, retryFrame } from '../audit-stream/sse';
import { sendProblem } from '../rest/rest-transport';
import { overviewChangeKey, overviewFrame } from './overview-frames';

export const adminOverviewStreamPath = '/v1/admin/overview/stream';

export function isAdminOverviewStreamUrl(url: string): boolean {
  return url === adminOverviewStreamPath || url.startsWith(`${adminOverviewStreamPath}?`);
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

export interface AdminOverviewStreamEndpoint {
  /** Answers one admitted request; `gateLeave` releases its admission slot (registered on 'close'). */
  handle: (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void) => void;
  readonly open: number;
  close: () => void;
}

function bearerOf(req: http.IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  return /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1] ?? null;
}

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
  const streams = new Set<{ abort: AbortController; res: http.ServerResponse }>();
  let isClosed = false;

  new Gauge({
    name: 'holdfast_admin_overview_streams_open',
    help: 'Live failover map streams (GET /v1/admin/overview/stream) open now.',
    labelNames: ['gateway', 'region'],
    registers: [options.registry],
    aggregator: 'sum',
    collect() {
      this.set(options.labels, streams.size);
    },
  });

  const refuse = (res: http.ServerResponse, error: unknown): void => {
    if (res.headersSent || res.destroyed) return;
    const problem = auditStreamProblemOf(error);
    sendProblem(res, problem, problem.retryAfterSeconds === undefined ? {} : { 'retry-after': String(problem.retryAfterSeconds) });
  };

  const run = async (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void): Promise<void> => {
    if (req.method !== 'GET') {
      sendProblem(
        res,
        problemOf({ holdfastCode: 'BAD_REQUEST', status: 405, detail: `${req.method ?? ''} is not supported on ${adminOverviewStreamPath}; use GET` }),
        {
          allow: 'GET',
        },
      );
      return;
    }
    const { overview } = deps;
    if (overview === undefined) {
      refuse(res, new HoldfastError('INTERNAL', 'the live failover map is not running on this gateway'));
      return;
    }
    if (isClosed || streams.size >= settings.maxStreams) {
      refuse(res, new HoldfastError('GATEWAY_OVERLOADED', 'too many open failover map streams on this gateway; retry on another gateway'));
      return;
    }
    const stream = { abort: new AbortController(), res };
    // Counted from here (the session check included), so the cap holds while many connect at once.
    streams.add(stream);
    const { signal } = stream.abort;
    res.once('close', () => {
      streams.delete(stream);
      stream.abort.abort();
    });
    const bearer = bearerOf(req);
    // The same procedure, middleware and checks as admin.overview.snapshot.
    const authorize = (): Promise<ClusterOverview> => createAdminOverviewCaller({ deps, bearer, client }, { signal }).snapshot();

    let first: ClusterOverview;
    try {
      first = await authorize();
    } catch (error) {
      refuse(res, error);
      return;
    }
    if (signal.aborted) return;

    // From here the stream waits outside the admission gate: its slot goes to the next request.
    res.off('close', gateLeave);
    gateLeave();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
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
    const reauth = setInterval(() => {
      authorize().catch((error: unknown) => {
        if (signal.aborted || !isDefinitiveRefusal(error)) return;
        res.end(commentFrame('admin session ended'));
      });
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
      run(req, res, client, gateLeave).catch((error: unknown) => {
        log('admin_overview_stream_failed', { message: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent) refuse(res, error);
        else res.destroy();
      });
    },
    get open() {
      return streams.size;
    },
    close: () => {
      isClosed = true;
      for (const stream of streams) {
        stream.abort.abort();
        if (stream.res.headersSent && !stream.res.writableEnded) {
          const socket = stream.res.socket;
          stream.res.end(() => socket?.destroy());
        }
      }
    },
  };
}
