import { appRouter, listPublicSigningKeys, type AuthFailureRecorder, type Context, type RequestClient, type ServiceDeps } from '@holdfast/api';
import { HoldfastError } from '@holdfast/core';
import { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { getErrorShape } from '@trpc/server/unstable-core-do-not-import';
import http from 'node:http';
import { Gauge } from 'prom-client';
import type { AddressInfo } from 'node:net';
import { createAdminAuditRoutes } from './admin-audit';
import { createAdminOverviewStreamEndpoint, isAdminOverviewStreamUrl } from './admin-overview';
import type { GatewayAuditForwarder } from './audit-forwarder';
import type { GatewayAuditLog } from './audit-log/audit-log';
import { createAuditStreamEndpoint, isAuditStreamUrl, type AuditStreamEndpointSettings } from './audit-stream';
import { registerAuditSpoolMetrics, type AuditSpoolStatus } from './audit-spool';
import { createCanary, type CanaryResult } from './canary';
import { ClusterGatewayMetrics } from './workers/cluster-metrics';
import { workerHeaderValue } from './workers/identity';
import { FloodShield, type FloodShieldLimits } from './rate-limit';
import {
  AdmissionGate,
  defaultAdmissionLimits,
  InFlightLimit,
  LongPollSlots,
  longPollPath,
  tickInFlightLimit,
  type AdmissionLimits,
} from './transport/admission';
import { createTrpcTransport } from './transport/trpc-transport';
import {
  createOpenApiHandler,
  createRestTransport,
  openApiPath,
  overloadedProblemBody,
  rateLimitedProblem,
  restBasePath,
  sendProblem,
} from './rest/rest-transport';

export interface GatewayServer {
  url: string;
  stop: () => Promise<void>;
}

function bearerOf(req: http.IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/**
 * Procedures that always need an API key: a request to one without a bearer is a failed
 * authentication, so it waits on the failed-authentication buckets like a bad key does.
 */
const apiKeyOnlyPaths = /^\/trpc\/(verify\.|preauth|factors\.)/;
/**
 * Admin password sign-in carries no bearer, but a refused password is charged to the address's
 * failed-authentication bucket (admin-auth router): gate it there like a missing API key.
 */
const adminSignInPath = /^\/trpc\/admin\.auth\.signIn(?:[?/]|$)/;

/** The TCP peer. Forwarded headers are not trusted: the gateway listens behind no proxy by default. */
function clientIpOf(req: http.IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

async function isDatabaseReachable(deps: ServiceDeps, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, timeoutMs);
  });
  const query = deps.db.pool.query('SELECT 1').then(
    () => true,
    (error: unknown) => {
      deps.db.reportError(error);
      return false;
    },
  );
  const ok = await Promise.race([query, timeout]);
  clearTimeout(timer);
  return ok;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, cacheControl = 'no-store'): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': cacheControl });
  res.end(JSON.stringify(body));
}

/**
 * The admission queue's refusal, in tRPC's error shape through the router's own errorFormatter
 * (so `data.holdfastCode` is GATEWAY_OVERLOADED, as the SDK reads any refusal). Built once: a
 * refusal must cost next to nothing, it is what the gateway does when it has no time.
 */
function overloadedBody(): string {
  const message = 'gateway overloaded; retry on another gateway';
  const error = new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause: new HoldfastError('GATEWAY_OVERLOADED', message) });
  return JSON.stringify({
    error: getErrorShape({ config: appRouter._def._config, error, type: 'unknown', path: undefined, input: undefined, ctx: undefined }),
  });
}

/**
 * The gateway: the tRPC API under /trpc, plus /healthz (the process answers), /readyz (the
 * database answers and the last canary login succeeded recently) and /metrics (Prometheus text).
 *
 * Flood protection (issue 8, hole 4): one procedure call per HTTP request (no tRPC batching, so
 * one request writes at most one audit row); token buckets per address and per API key id checked
 * before tRPC runs; failed API-key authentications counted, not audited row by row; the canary and
 * /readyz use `reservedDeps` (a pool of their own) so request traffic cannot make the gateway unready.
 */
export async function startGatewayServer(options: {
  deps: ServiceDeps;
  /** The same deps over the reserved pool (canary, readiness probe); defaults to `deps`. */
  reservedDeps?: ServiceDeps;
  authFailures?: AuthFailureRecorder;
  /** The sealed audit log's status (issue 12): /readyz `audit` details and the audit gauges. */
  auditLog?: Pick<GatewayAuditLog, 'readiness' | 'registerMetrics'>;
  /** The audit outage spool (issue 12): /readyz `auditSpool` details and the spool metrics. */
  auditSpool?: { status: () => AuditSpoolStatus };
  /** The syslog forwarder (issue 12): /readyz `auditForwarder` details and the holdfast_audit_syslog_* metrics. */
  auditForwarder?: Pick<GatewayAuditForwarder, 'readiness' | 'registerMetrics'>;
  /** The live audit stream, GET /v1/audit/stream (issue 12); unset fields take its defaults. */
  auditStream?: Partial<AuditStreamEndpointSettings>;
  rateLimits: FloodShieldLimits;
  /** The surge queue (transport/admission.ts); unset fields take the defaults for a 10-connection pool. */
  admission?: Partial<AdmissionLimits>;
  host: string;
  port: number;
  canaryIntervalMs: number;
  /** Every 10 s in which requests were refused before the router ran: how many (the audit trail's `gateway.load_shed`). */
  onShed?: (shed: { overloaded: number; rateLimited: number }) => void;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): Promise<GatewayServer> {
  const { deps, log } = options;
  const reservedDeps = options.reservedDeps ?? deps;
  const shield = new FloodShield(options.rateLimits);
  const rateLimited = { count: 0, byBucket: new Map<string, number>() };
  const metrics = new ClusterGatewayMetrics({ gatewayId: deps.gateway.id, region: deps.gateway.region });
  options.auditLog?.registerMetrics(metrics.registry, { gateway: deps.gateway.id, region: deps.gateway.region });
  options.auditForwarder?.registerMetrics(metrics.registry, { gateway: deps.gateway.id, region: deps.gateway.region });
  const { auditSpool } = options;
  if (auditSpool !== undefined)
    registerAuditSpoolMetrics({
      registry: metrics.registry,
      labels: { gateway: deps.gateway.id, region: deps.gateway.region },
      status: () => auditSpool.status(),
    });
  const observedDeps: ServiceDeps = {
    ...deps,
    auditHistoryRewritten: () => options.auditLog?.readiness().alarm === 'history_rewritten',
    observe: (event) => {
      metrics.observe(event);
      if (event.seconds > 2 && !/pushStatus$/i.test(event.procedure))
        log('slow_request', { procedure: event.procedure, outcome: event.outcome, seconds: Math.round(event.seconds * 1000) / 1000 });
    },
  };
  // The canary is not a client: keep it out of the request metrics (it has its own gauges).
  const canary = createCanary(reservedDeps);
  const startedAt = new Date();
  await deps.db.pool
    .query(
      `INSERT INTO gateway_heartbeats (gateway_id, region, started_at, last_seen_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (gateway_id) DO UPDATE SET region = EXCLUDED.region, started_at = EXCLUDED.started_at, last_seen_at = EXCLUDED.last_seen_at`,
      [deps.gateway.id, deps.gateway.region, startedAt],
    )
    .catch((error: unknown) => {
      log('heartbeat_failed', { error: String(error) });
    });

  const createContext = (req: http.IncomingMessage, client: RequestClient): Context => ({
    deps: observedDeps,
    bearer: bearerOf(req),
    client,
    ...(options.authFailures === undefined ? {} : { authFailures: options.authFailures }),
  });
  const onError = ({ error, path }: { error: TRPCError; path: string | undefined }): void => {
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      // The message and stack only: inputs (codes, tokens) are never logged.
      log('internal_error', { path: path ?? null, message: error.message, cause: error.cause?.message ?? null });
    }
  };
  // The standalone adapter answers the request shapes the thin transport leaves to it (batches,
  // other methods and content types: all refused, kept byte for byte). Its createContext gets only
  // `req`, so the shield's ticket reaches it through this map — on that rare path only.
  const clientOf = new WeakMap<http.IncomingMessage, RequestClient>();
  const standalone = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    // Verification requests are tiny; a large body is a mistake or an attack.
    maxBodySize: 16 * 1024,
    // One call per request: a batch of 50 calls would be 50 authentications and 50 audit rows for
    // one request through one bucket token. The SDK and the portal use httpLink (no batching).
    allowBatching: false,
    createContext: ({ req }) => createContext(req, clientOf.get(req) ?? { ip: clientIpOf(req) }),
    onError,
  });
  const trpc = createTrpcTransport<RequestClient>({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: 16 * 1024,
    createContext,
    onError,
    fallback: (req, res, client) => {
      clientOf.set(req, client);
      standalone(req, res);
    },
  });

  // REST for relying applications (issue 10): the same router, context and error path as /trpc/,
  // behind the same shield and admission queue; its OpenAPI document is built once, here.
  const rest = createRestTransport<RequestClient>({ maxBodySize: 16 * 1024, createContext, onError });
  const openApi = createOpenApiHandler();
  const refusedProblem = overloadedProblemBody();
  // The live audit stream (issue 12): admitted like any /v1 call, then it waits outside the gate.
  const auditStream = createAuditStreamEndpoint({
    deps,
    authFailures: options.authFailures,
    registry: metrics.registry,
    labels: { gateway: deps.gateway.id, region: deps.gateway.region },
    ...(options.auditStream === undefined ? {} : { settings: options.auditStream }),
    log,
  });
  const adminOverviewStream = createAdminOverviewStreamEndpoint({
    deps,
    registry: metrics.registry,
    labels: { gateway: deps.gateway.id, region: deps.gateway.region },
    log,
  });
  // The admin console's audit stream (all applications) and export (issue 13).
  const adminAudit = createAdminAuditRoutes({
    deps,
    registry: metrics.registry,
    labels: { gateway: deps.gateway.id, region: deps.gateway.region },
    ...(options.auditStream === undefined ? {} : { settings: options.auditStream }),
    log,
  });

  // Surges (issue 9): at most maxInFlight requests in the router, a short time-bounded queue, a
  // fast 503 for the rest — after the shield, before the body is read and before any database work.
  const limits: AdmissionLimits = { ...defaultAdmissionLimits(10), ...options.admission };
  const refusedBody = overloadedBody();
  const overloaded = { count: 0 };
  const longPolls = new LongPollSlots();
  // Fewer requests in the router while this worker sheds load with a busy loop (the CPU, not the database, is short).
  const inFlightLimit = new InFlightLimit({ max: limits.maxInFlight, min: limits.minInFlight });
  const stopInFlightLimit = tickInFlightLimit(inFlightLimit, 100);
  const admission = new AdmissionGate<http.IncomingMessage, http.ServerResponse, RequestClient>(
    limits,
    {
      admit: (req, res, client) => {
        // 'close' comes once per response, answered or abandoned: the slot is given back either way.
        res.once('close', admission.leave);
        if (longPollPath.test(req.url ?? '')) client.leaveAdmission = () => longPolls.leave(res, admission.leave);
        if (isAuditStreamUrl(req.url ?? '')) {
          auditStream.handle(req, res, client, admission.leave);
          return;
        }
        if (isAdminOverviewStreamUrl(req.url ?? '')) {
          adminOverviewStream.handle(req, res, client, admission.leave);
          return;
        }
        if (adminAudit.matches(req.url ?? '')) {
          adminAudit.handle(req, res, client, admission.leave);
          return;
        }
        (req.url?.startsWith(restBasePath) === true ? rest : trpc)(req, res, client);
      },
      refuse: (req, res) => {
        overloaded.count += 1;
        metrics.recordRefusal('overloaded');
        if (req.url?.startsWith(restBasePath) === true) {
          res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' });
          res.end(refusedProblem);
          return;
        }
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(refusedBody);
      },
      isGone: (req, res) => res.destroyed || req.socket.destroyed,
    },
    undefined,
    inFlightLimit,
  );
  new Gauge({
    name: 'holdfast_admission_in_flight_limit',
    help: 'Requests the admission gate lets into the router at once now (lower than configured while it sheds load with a busy event loop).',
    labelNames: ['gateway', 'region'],
    registers: [metrics.registry],
    collect() {
      this.set({ gateway: deps.gateway.id, region: deps.gateway.region }, admission.maxInFlight);
    },
  });

  // Which process answered (cluster workers); the pid does not change, so the text is built once.
  const workerHeader = workerHeaderValue();
  const canaryMaxAgeMs = options.canaryIntervalMs * 3 + 2000;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-holdfast-gateway', deps.gateway.id);
    res.setHeader('x-holdfast-worker', workerHeader);
    if (url === openApiPath || url.startsWith(`${openApiPath}?`)) {
      openApi(req, res);
      return;
    }
    const isRest = url.startsWith(restBasePath);
    if (url.startsWith('/trpc/') || isRest) {
      res.setHeader('cache-control', 'no-store');
      // Before tRPC reads the body and before any database work: only the Authorization header.
      // Every REST operation is a relying application's: a request without a key is a failed authentication.
      const decision = shield.check(clientIpOf(req), bearerOf(req), { requiresApiKey: isRest || apiKeyOnlyPaths.test(url) || adminSignInPath.test(url) });
      if (!decision.allowed) {
        rateLimited.count += 1;
        rateLimited.byBucket.set(decision.bucket, (rateLimited.byBucket.get(decision.bucket) ?? 0) + 1);
        metrics.recordRefusal('rate_limited');
        const retryAfter = Math.max(1, decision.retryAfterSeconds);
        res.setHeader('retry-after', String(retryAfter));
        if (isRest) {
          sendProblem(
            res,
            rateLimitedProblem(
              decision.bucket.startsWith('failed_auth') ? 'too many failed authentications; retry later' : 'too many requests; retry later',
              retryAfter,
            ),
          );
          return;
        }
        // tRPC's error shape, so the SDK reads holdfastCode as for any other refusal.
        sendJson(res, 429, {
          error: {
            message: decision.bucket.startsWith('failed_auth') ? 'too many failed authentications; retry later' : 'too many requests; retry later',
            code: -32029,
            data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, holdfastCode: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
          },
        });
        return;
      }
      admission.enter(req, res, { ip: decision.ticket.ip, onApiKeyResult: decision.ticket.onApiKeyResult });
      return;
    }
    if (url === '/healthz') {
      sendJson(res, 200, { ok: true, gatewayId: deps.gateway.id, region: deps.gateway.region });
      return;
    }
    if (url === '/readyz') {
      void isDatabaseReachable(reservedDeps, 1000).then((isDbOk) => {
        const last: CanaryResult | null = canary.last();
        const ageMs = last === null ? null : Date.now() - last.at;
        const isCanaryOk = last !== null && last.ok && ageMs !== null && ageMs <= canaryMaxAgeMs;
        const ready = isDbOk && isCanaryOk;
        sendJson(res, ready ? 200 : 503, {
          ready,
          gatewayId: deps.gateway.id,
          region: deps.gateway.region,
          database: { ok: isDbOk },
          canary: last === null ? null : { ok: last.ok, ageMs, latencyMs: Math.round(last.latencyMs), error: last.error ?? null },
          // A history alarm is a detail, not unreadiness: logins still work (audit-log/audit-log.ts).
          ...(options.auditLog === undefined ? {} : { audit: options.auditLog.readiness() }),
          // Events waiting on local disk for the database (a detail: requests are still answered).
          ...(auditSpool === undefined ? {} : { auditSpool: { events: auditSpool.status().events, oldestAgeMs: auditSpool.status().oldestAgeMs } }),
          // A collector being down is a detail too: the forwarder catches up when it is back.
          ...(options.auditForwarder === undefined ? {} : { auditForwarder: options.auditForwarder.readiness() }),
        });
      });
      return;
    }
    if (url === '/.well-known/jwks.json') {
      // Public keys that verify hosted-verification results; short cache so a new key is seen soon.
      listPublicSigningKeys(deps).then(
        (keys) => {
          sendJson(res, 200, { keys }, 'public, max-age=60');
        },
        () => {
          sendJson(res, 503, { error: { holdfastCode: 'DATABASE_UNAVAILABLE', message: 'database unavailable' } });
        },
      );
      return;
    }
    if (url === '/metrics') {
      metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(text);
        },
        (error: unknown) => {
          log('metrics_failed', { message: String(error) });
          res.writeHead(500);
          res.end();
        },
      );
      return;
    }
    sendJson(res, 404, { error: { holdfastCode: 'BAD_REQUEST', message: 'unknown path; the API is under /trpc/' } });
  });
  // Keep-alive sockets from SDK clients must not hold shutdown hostage forever.
  server.keepAliveTimeout = 5_000;
  // One line per 10 s while requests are being refused, not one per request.
  const rateLimitLog = setInterval(() => {
    if (overloaded.count + rateLimited.count > 0) options.onShed?.({ overloaded: overloaded.count, rateLimited: rateLimited.count });
    if (overloaded.count > 0) {
      log('overloaded', {
        requests: overloaded.count,
        maxInFlight: admission.maxInFlight,
        configuredMaxInFlight: limits.maxInFlight,
        maxQueue: limits.maxQueue,
        maxWaitMs: limits.maxWaitMs,
      });
      overloaded.count = 0;
    }
    if (rateLimited.count === 0) return;
    log('rate_limited', { requests: rateLimited.count, byBucket: Object.fromEntries(rateLimited.byBucket) });
    rateLimited.count = 0;
    rateLimited.byBucket.clear();
  }, 10_000);
  rateLimitLog.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host}:${address.port}`;
  canary.start(options.canaryIntervalMs, (result) => {
    metrics.recordCanary({ ok: result.ok, latencySeconds: result.latencyMs / 1000, at: result.at });
    if (!result.ok) log('canary_failed', { error: result.error ?? null });
  });
  return {
    url,
    stop: async () => {
      canary.stop();
      clearInterval(rateLimitLog);
      admission.close();
      stopInFlightLimit();
      auditStream.close();
      adminOverviewStream.close();
      adminAudit.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
