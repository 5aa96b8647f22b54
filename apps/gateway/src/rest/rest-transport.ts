// The REST surface for relying applications (issue 10): `/v1/<procedure path in kebab-case>`,
// plain JSON in and out, RFC 9457 problem details on refusal. Every operation is a procedure of
// the same router (packages/api/src/rest/operations.ts), called through tRPC's caller with the
// context the tRPC transport builds — so API-key authentication, failure counting, the rejection
// audit, metrics and zod parsing are the ones /trpc/ runs — and refused through the router's own
// errorFormatter and tRPC's status mapping, so both surfaces answer a failure with one status and
// one holdfastCode. It runs behind the same flood shield and admission queue (server.ts).
import {
  appRouter,
  buildOpenApiDocument,
  createCaller,
  problemContentType,
  problemOf,
  queryParametersOf,
  restOperations,
  type Context,
  type Problem,
  type RestOperation,
} from '@holdfast/api';
import { getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { getHTTPStatusCode } from '@trpc/server/http';
// The same entry point the tRPC transport uses to apply the router's errorFormatter.
import { getErrorShape } from '@trpc/server/unstable-core-do-not-import';
import type http from 'node:http';
import { isJsonContentType, readBodyText } from '../transport/http-body';

export type RestListener<TExtra> = (req: http.IncomingMessage, res: http.ServerResponse, extra: TExtra) => void;

export interface RestTransportOptions<TExtra> {
  /** Request bodies above this many bytes are refused with 413, as on /trpc/. */
  maxBodySize: number;
  createContext: (req: http.IncomingMessage, extra: TExtra) => Context;
  /** The tRPC transport's onError: once per failed call. */
  onError: (options: { error: TRPCError; path: string | undefined }) => void;
}

export const restBasePath = '/v1/';
export const openApiPath = '/v1/openapi.json';

/** How a query parameter's text becomes the JSON value its schema expects. */
type ParameterKind = 'number' | 'boolean' | 'string';

interface Route {
  operation: RestOperation;
  parameterKinds: Map<string, ParameterKind>;
}

function kindOf(schema: Record<string, unknown>): ParameterKind {
  // Nullable fields are `anyOf: [{type}, {type: 'null'}]`; the non-null branch decides.
  const branches = Array.isArray(schema.anyOf) ? (schema.anyOf as unknown[]) : [schema];
  const types = branches.map((branch) => (typeof branch === 'object' && branch !== null && 'type' in branch ? branch.type : undefined));
  if (types.includes('integer') || types.includes('number')) return 'number';
  if (types.includes('boolean')) return 'boolean';
  return 'string';
}

function routesOf(operations: readonly RestOperation[]): Map<string, Map<string, Route>> {
  const routes = new Map<string, Map<string, Route>>();
  for (const operation of operations) {
    const parameterKinds = new Map<string, ParameterKind>();
    if (operation.method === 'GET') for (const parameter of queryParametersOf(operation)) parameterKinds.set(parameter.name, kindOf(parameter.schema));
    const methods = routes.get(operation.path) ?? new Map<string, Route>();
    methods.set(operation.method, { operation, parameterKinds });
    routes.set(operation.path, methods);
  }
  return routes;
}

/**
 * A query's flat input from its query string. Numbers and booleans are converted only when the
 * text is one (else zod reports the field); a repeated parameter stays an array, which zod refuses.
 */
function inputFromQuery(route: Route, query: string): Record<string, unknown> {
  const params = new URLSearchParams(query);
  const input: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name).map((text): unknown => {
      const kind = route.parameterKinds.get(name);
      if (kind === 'number' && /^-?\d+(?:\.\d+)?$/.test(text)) return Number(text);
      if (kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
      return text;
    });
    input[name] = values.length === 1 ? values[0] : values;
  }
  return input;
}

async function readJsonBody(req: http.IncomingMessage, maxBodySize: number): Promise<unknown> {
  const tooLarge = (): TRPCError => new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `request body larger than ${maxBodySize} bytes` });
  // Refused before a byte is read when the client says up front that it is too large.
  if (Number(req.headers['content-length'] ?? '0') > maxBodySize) throw tooLarge();
  const text = await readBodyText(req, maxBodySize, tooLarge);
  // An empty body is "no input": zod then says which object it expected.
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the body; the body may hold a code, so it is not repeated.
    throw new TRPCError({ code: 'PARSE_ERROR', message: 'the request body is not valid JSON' });
  }
}

/** `caller.verify.totp(input)` for the path `verify.totp`: tRPC's caller is a proxy walked by property. */
function callAtPath(caller: unknown, path: string, input: unknown): Promise<unknown> {
  let target: unknown = caller;
  for (const key of path.split('.')) {
    if ((typeof target !== 'object' && typeof target !== 'function') || target === null) break;
    target = Reflect.get(target, key);
  }
  if (typeof target !== 'function') return Promise.reject(new TRPCError({ code: 'NOT_FOUND', message: `no procedure ${path}` }));
  return Promise.resolve(Reflect.apply(target, undefined, [input]));
}

export function sendProblem(res: http.ServerResponse, problem: Problem, headers: Record<string, string> = {}): void {
  res.writeHead(problem.status, { 'content-type': problemContentType, 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(problem));
}

/**
 * The request listener for `/v1/…` operations (the document is served by `createOpenApiHandler`).
 * Never throws; answers every request it takes exactly once.
 */
export function createRestTransport<TExtra>(options: RestTransportOptions<TExtra>): RestListener<TExtra> {
  const config = appRouter._def._config;
  const routes = routesOf(restOperations);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, extra: TExtra): Promise<void> => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const query = queryAt === -1 ? '' : url.slice(queryAt + 1);
    // Services stop their database retries when the caller goes away, as on /trpc/.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    let route: Route | undefined;
    let input: unknown = undefined;
    let ctx: Context | undefined;
    const headers: Record<string, string> = {};
    try {
      const methods = routes.get(path);
      if (methods === undefined) throw new TRPCError({ code: 'NOT_FOUND', message: `no operation at ${path}; the operations are listed in ${openApiPath}` });
      route = methods.get(req.method ?? '');
      if (route === undefined) {
        // RFC 9110 15.5.6: a 405 lists the methods the resource supports.
        headers.allow = [...methods.keys()].join(', ');
        throw new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: `${req.method ?? ''} is not supported on ${path}; use ${headers.allow}` });
      }
      if (route.operation.method === 'GET') {
        input = inputFromQuery(route, query);
      } else {
        if (!isJsonContentType(req.headers['content-type'])) {
          throw new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the request body as application/json' });
        }
        input = await readJsonBody(req, options.maxBodySize);
      }
      ctx = options.createContext(req, extra);
      const caller = createCaller(ctx, { signal: abort.signal });
      const data = await callAtPath(caller, route.operation.procedure, input);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(data));
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      const procedure = route?.operation.procedure;
      options.onError({ error, path: procedure });
      const type = route === undefined ? 'unknown' : route.operation.method === 'GET' ? 'query' : 'mutation';
      const shape = getErrorShape({ config, error, type, path: procedure, input, ctx });
      const status = getHTTPStatusCode({ error: shape }, [error]);
      sendProblem(
        res,
        problemOf({
          holdfastCode: shape.data.holdfastCode,
          status,
          detail: shape.message,
          ...(shape.data.issues === undefined ? {} : { issues: shape.data.issues }),
          ...(shape.data.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: shape.data.retryAfterSeconds }),
        }),
        shape.data.retryAfterSeconds === undefined ? headers : { ...headers, 'retry-after': String(shape.data.retryAfterSeconds) },
      );
    }
  };

  return (req, res, extra) => {
    handle(req, res, extra).catch((cause: unknown) => {
      // Only a throwing errorFormatter or onError gets here: a last-resort answer.
      options.onError({ error: getTRPCErrorFromUnknown(cause), path: undefined });
      if (res.headersSent) {
        res.end();
        return;
      }
      sendProblem(res, problemOf({ holdfastCode: 'INTERNAL', status: 500, detail: 'internal error' }));
    });
  };
}

/** `GET /v1/openapi.json`: generated once, at startup, from the operations table; the same bytes every time. */
export function createOpenApiHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const body = JSON.stringify(buildOpenApiDocument({ version: '1.0.0' }));
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendProblem(res, problemOf({ holdfastCode: 'BAD_REQUEST', status: 405, detail: `${req.method ?? ''} is not supported on ${openApiPath}; use GET` }), {
        allow: 'GET, HEAD',
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** The flood shield's 429 for /v1/ requests, as problem details (server.ts builds the tRPC one). */
export function rateLimitedProblem(detail: string, retryAfterSeconds: number): Problem {
  return problemOf({ holdfastCode: 'RATE_LIMITED', status: 429, detail, retryAfterSeconds });
}

/** The admission queue's 503 for /v1/ requests; built once by the caller (a refusal must cost nothing). */
export function overloadedProblemBody(): string {
  return JSON.stringify(
    problemOf({ holdfastCode: 'GATEWAY_OVERLOADED', status: 503, detail: 'gateway overloaded; retry on another gateway', retryAfterSeconds: 1 }),
  );
}
