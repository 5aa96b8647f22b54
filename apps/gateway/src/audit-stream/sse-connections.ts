// The connection handling every Server-Sent Events route of the gateway shares (the audit stream,
// the admin console's live failover map): the per-worker cap, refusals as problem documents, the
// hand-back of the admission slot once the stream starts, the response headers, and ending every
// stream on shutdown. What a stream sends, and how it meets a slow client, is each route's own.
import { auditStreamProblemOf, problemOf, type RequestClient } from '@holdfast/api';
import type http from 'node:http';
import { sendProblem } from '../rest/rest-transport';

/** An SSE route's path, with or without a query string. */
export function isStreamUrl(url: string, path: string): boolean {
  return url === path || url.startsWith(`${path}?`);
}

/** What the HTTP server sees of an SSE route. */
export interface SseEndpoint {
  /**
   * Answers one admitted request to the route's path. `gateLeave` is the admission slot's release,
   * registered on the response's 'close': the endpoint hands the slot back once the stream starts.
   */
  handle: (req: http.IncomingMessage, res: http.ServerResponse, client: RequestClient, gateLeave: () => void) => void;
  /** Streams open now (this process). */
  readonly open: number;
  /** Ends every stream (the gateway is shutting down) and refuses new ones. */
  close: () => void;
}

export function bearerOf(req: http.IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  return /^Bearer\s+(\S+)$/i.exec(header.trim())?.[1] ?? null;
}

/** A refusal before the stream starts, as a problem document (with Retry-After when it has one). */
export function refuseStream(res: http.ServerResponse, error: unknown, issues?: { path: string; message: string }[]): void {
  if (res.headersSent || res.destroyed) return;
  const problem = auditStreamProblemOf(error, issues);
  sendProblem(res, problem, problem.retryAfterSeconds === undefined ? {} : { 'retry-after': String(problem.retryAfterSeconds) });
}

/** 405 for anything but GET; true when it answered. */
export function refuseNonGet(req: http.IncomingMessage, res: http.ServerResponse, path: string): boolean {
  if (req.method === 'GET') return false;
  sendProblem(res, problemOf({ holdfastCode: 'BAD_REQUEST', status: 405, detail: `${req.method ?? ''} is not supported on ${path}; use GET` }), {
    allow: 'GET',
  });
  return true;
}

/** The stream starts: it waits outside the admission gate from here, so its slot goes to the next request. */
export function startEventStream(res: http.ServerResponse, gateLeave: () => void): void {
  res.off('close', gateLeave);
  gateLeave();
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Proxies (nginx) must pass events on at once, not buffer them.
    'x-accel-buffering': 'no',
  });
}

export interface SseConnections {
  /**
   * Counts the response as an open stream from here (its authentication included, so the cap holds
   * while many connect at once) and returns the signal that fires when it closes or the gateway
   * shuts down; null when the gateway is shutting down or `maxStreams` are open.
   */
  admit: (res: http.ServerResponse, maxStreams: number) => AbortSignal | null;
  /** Runs one admitted request's handler; a failure is logged and answered, or ends the stream. */
  run: (res: http.ServerResponse, handler: () => Promise<void>) => void;
  /** Streams open now (this process). */
  readonly open: number;
  /** Ends every stream (the gateway is shutting down) and refuses new ones. */
  close: () => void;
}

export function createSseConnections(options: {
  log: (event: string, fields?: Record<string, unknown>) => void;
  /** The log event when a handler fails (`audit_stream_failed`). */
  failedEvent: string;
}): SseConnections {
  const streams = new Set<{ abort: AbortController; res: http.ServerResponse }>();
  let isClosed = false;
  return {
    admit: (res, maxStreams) => {
      if (isClosed || streams.size >= maxStreams) return null;
      const stream = { abort: new AbortController(), res };
      streams.add(stream);
      res.once('close', () => {
        streams.delete(stream);
        stream.abort.abort();
      });
      return stream.abort.signal;
    },
    run: (res, handler) => {
      handler().catch((error: unknown) => {
        options.log(options.failedEvent, { message: error instanceof Error ? error.message : String(error) });
        if (!res.headersSent) refuseStream(res, error);
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
        // End the response, then the connection: a keep-alive socket would hold server.close().
        if (stream.res.headersSent && !stream.res.writableEnded) {
          const socket = stream.res.socket;
          stream.res.end(() => socket?.destroy());
        }
      }
    },
  };
}
