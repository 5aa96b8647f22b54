// A thin Node HTTP transport for the tRPC router (issue 9, "less per-request work").
//
// The standalone adapter turns every request into a Fetch API `Request`, its body into a
// `ReadableStream` and its answer into a `Response` piped through a `WritableStream`: measured,
// about 45 % of a verification's CPU on Node 20. This transport does what `resolveResponse` does
// for the one request shape our clients send (httpLink, no batching: GET `?input=<JSON>` for
// queries, POST with a JSON body for mutations) straight on `IncomingMessage`/`ServerResponse`,
// and calls the procedure exactly as `resolveResponse` does — the same `getRawInput`, context,
// path, type and abort signal — so the router's middleware, zod schemas, `errorFormatter` and
// `onError` see what they saw before. Every other shape (batches, HEAD, other methods and content
// types, streaming accept headers, odd paths) goes to the standalone adapter, which stays the
// reference: those requests are rare, all refused, and keep their answers byte for byte.
// `test/transport.wire-compat.test.ts` holds the two side by side.
import type { AppRouter, Context } from '@holdfast/api';
import { getTRPCErrorFromUnknown, transformTRPCResponse, TRPCError, type AnyTRPCProcedure } from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
// `getErrorShape` is what every tRPC adapter uses to apply the router's errorFormatter (a
// procedure's `.errors()` shape first); it is only exported from the core entry point.
import { getErrorShape } from '@trpc/server/unstable-core-do-not-import';
import type http from 'node:http';
import { isJsonContentType, readBodyText } from './http-body';

/** A request listener with what the caller already knows about the request (e.g. the flood shield's ticket). */
export type TrpcListener<TExtra> = (req: http.IncomingMessage, res: http.ServerResponse, extra: TExtra) => void;

export interface TrpcTransportOptions<TExtra> {
  /** The router (typed as ours, so the errorFormatter's shape is typed end to end). */
  router: AppRouter;
  /** e.g. `/trpc/`: requests are routed here only below it. */
  basePath: string;
  /** Request bodies above this many bytes are refused with 413 (PAYLOAD_TOO_LARGE), as by the adapter. */
  maxBodySize: number;
  createContext: (req: http.IncomingMessage, extra: TExtra) => Context;
  /** Called as the adapter's `onError` is: once per failed call, with the procedure path if known. */
  onError: (options: { error: TRPCError; path: string | undefined; type: string; req: http.IncomingMessage }) => void;
  /** The standalone adapter's handler, for every request shape this transport leaves to it. */
  fallback: TrpcListener<TExtra>;
}

/** Procedure names as URL paths: anything else (encoded, trailing slash, batch commas) is the adapter's. */
const plainPath = /^[A-Za-z0-9_$]+(?:\.[A-Za-z0-9_$]+)*$/;

/**
 * The call's input, read once and only when the procedure asks for it — after the middleware that
 * runs before input parsing (API-key authentication), as with the adapter. Read errors become
 * BAD_REQUEST with the cause's message, as tRPC's `memo` makes them.
 */
class LazyInput {
  private value: unknown = undefined;
  private isRead = false;
  private pending: Promise<unknown> | null = null;

  constructor(
    private readonly req: http.IncomingMessage,
    private readonly query: string | null,
    private readonly maxBodySize: number,
    private readonly deserialize: (input: unknown) => unknown,
  ) {}

  read = async (): Promise<unknown> => {
    if (this.isRead) return this.value;
    this.pending ??= this.load().catch((cause: unknown) => {
      if (cause instanceof TRPCError) throw cause;
      throw new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause });
    });
    const value = await this.pending;
    this.value = value;
    this.isRead = true;
    this.pending = null;
    return value;
  };

  /** What the adapter's `call.result()` gives: the parsed input if it was read, else undefined. */
  result(): unknown {
    return this.isRead ? this.value : undefined;
  }

  private async load(): Promise<unknown> {
    let text: string | null = null;
    if (this.req.method === 'GET') {
      text = this.query === null ? null : new URLSearchParams(this.query).get('input');
    } else {
      // The adapter's error exactly: code PAYLOAD_TOO_LARGE, message = the code.
      text = await readBodyText(this.req, this.maxBodySize, () => new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
    }
    // An empty body or `?input=` is "no input", as for httpLink with an undefined input.
    if (text === null || text === '') return undefined;
    return this.deserialize(JSON.parse(text));
  }
}

/**
 * The request listener for `/trpc/…`. Never throws; answers every request it takes exactly once.
 */
export function createTrpcTransport<TExtra>(options: TrpcTransportOptions<TExtra>): TrpcListener<TExtra> {
  const { router, basePath, maxBodySize, fallback } = options;
  const config = router._def._config;
  // At run time `_def.procedures` is the flat table of procedures by dotted path that tRPC's own
  // `getProcedureAtPath` reads (built once by `t.router`, null prototype); its declared type is the
  // nested record the client types are inferred from.
  const procedures = router._def.procedures as unknown as Record<string, AnyTRPCProcedure | undefined>;
  const deserialize = (input: unknown): unknown => config.transformer.input.deserialize(input);
  const vary = 'trpc-accept, accept';

  const send = (res: http.ServerResponse, status: number, payload: unknown, allow: string | null): void => {
    const body = JSON.stringify(transformTRPCResponse(config, payload as Parameters<typeof transformTRPCResponse>[1]));
    res.statusCode = status;
    res.setHeader('vary', vary);
    res.setHeader('content-type', 'application/json');
    if (allow !== null) res.setHeader('allow', allow);
    res.end(body);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, extra: TExtra, path: string, query: string | null): Promise<void> => {
    const procedure = procedures[path];
    const type = procedure?._def.type ?? 'unknown';
    // The adapter's request signal: aborted when the client goes away before the answer is sent
    // (the services stop their database retries on it).
    const abort = new AbortController();
    const onClose = (): void => {
      if (!res.writableEnded) abort.abort();
    };
    res.once('close', onClose);
    const input = new LazyInput(req, query, maxBodySize, deserialize);
    let ctx: Context | undefined;
    let allow: string | null = null;
    try {
      ctx = options.createContext(req, extra);
      if (procedure === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: `No procedure found on path "${path}"` });
      const accepted = type === 'mutation' ? 'POST' : 'GET';
      if (req.method !== accepted) {
        // A 405 lists the methods the procedure accepts (RFC 9110 15.5.6), as the adapter does.
        allow = accepted;
        throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: `Unsupported ${req.method ?? ''}-request to ${type} procedure at path "${path}"` });
      }
      const data: unknown = await procedure({ path, getRawInput: input.read, ctx, type: procedure._def.type, signal: abort.signal, batchIndex: 0 });
      // Procedures return plain data (zod output schemas); the adapter's stream check is not needed.
      send(res, 200, { result: { data } }, null);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      options.onError({ error, path, type, req });
      const shape = getErrorShape({ config, error, type, path, input: input.result(), ctx });
      // Push fatigue refusals (issue 11): when asking again may succeed, as a header too.
      if (shape.data.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(shape.data.retryAfterSeconds));
      send(res, getHTTPStatusCode({ error: shape }, [error]), { error: shape }, allow);
    }
  };

  const baseLength = basePath.length;
  return (req, res, extra) => {
    const url = req.url ?? '/';
    const method = req.method;
    const queryAt = url.indexOf('?', baseLength);
    const path = queryAt === -1 ? url.slice(baseLength) : url.slice(baseLength, queryAt);
    const query = queryAt === -1 ? null : url.slice(queryAt + 1);
    const headers = req.headers;
    const isPlain =
      url.startsWith(basePath) &&
      !url.includes('#') &&
      plainPath.test(path) &&
      (method === 'POST'
        ? isJsonContentType(headers['content-type'])
        : method === 'GET' && (headers['content-type'] === undefined || isJsonContentType(headers['content-type']))) &&
      headers['trpc-accept'] === undefined &&
      (headers.accept === undefined || !headers.accept.includes('application/jsonl')) &&
      // `batch`, `connectionParams` and friends change the adapter's answer: leave them to it.
      (query === null || !/(?:^|&)(?:batch|connectionParams)=/.test(query));
    if (!isPlain) {
      fallback(req, res, extra);
      return;
    }
    handle(req, res, extra, path, query).catch((cause: unknown) => {
      // Only a throwing errorFormatter or onError gets here: the adapter's last-resort answer.
      const error = getTRPCErrorFromUnknown(cause);
      options.onError({ error, path: undefined, type: 'unknown', req });
      if (res.headersSent) {
        res.end();
        return;
      }
      res.statusCode = 500;
      res.end(JSON.stringify({ error: { code: -32603, message: 'Internal server error', data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 } } }));
    });
  };
}
