import { HoldfastError } from '@holdfast/core';
import { initTRPC } from '@trpc/server';
import { ZodError } from 'zod';
import type { ApplicationPrincipal, ServiceDeps } from './deps';
import { holdfastCodeOf, toTrpcError } from './errors';
import { authenticateApiKey } from './services/auth/authenticate-api-key';
import { recallVerifiedApiKey } from './services/auth/verified-api-keys';
import { authenticateEnrollmentSession } from './services/enrollment/authenticate-enrollment-session';
import { auditRejection } from './services/audit/audit-rejection';
import type { AuthFailureRecorder } from './services/audit/auth-failure-counter';

/** What the HTTP layer knows about the caller: transport facts, never used to authorize. */
export interface RequestClient {
  /** The peer address (the failure counters keep one as a sample). */
  ip: string | null;
  /** Told whether the API key authenticated: the gateway's per-process flood shield. */
  onApiKeyResult?: (isAuthenticated: boolean) => void;
  /**
   * A long-poll (verify.pushStatus with waitMs) calls this before it starts waiting: true = the
   * request no longer holds one of the gateway's admission slots (it waits outside the queue);
   * false = too many long-polls are waiting in this process already, answer now.
   */
  leaveAdmission?: () => boolean;
}

export interface Context {
  deps: ServiceDeps;
  /** The `Authorization: Bearer …` credential, if any. */
  bearer: string | null;
  /**
   * Set only by trusted in-process callers (the gateway's canary): skips API-key authentication
   * but runs every other part of the real request path.
   */
  trustedApplication?: ApplicationPrincipal;
  client?: RequestClient;
  /** Counts failed API-key authentications per key id and minute (the gateway's, per process). */
  authFailures?: AuthFailureRecorder;
}

const t = initTRPC.context<Context>().create({
  // Never leak stack traces or internals to callers, in any environment.
  isDev: false,
  errorFormatter({ shape, error }) {
    // Drop the stack whatever isDev says: callers never see internals.
    const data: Omit<typeof shape.data, 'stack'> & { stack?: unknown } = { ...shape.data };
    delete data.stack;
    const holdfastCode = holdfastCodeOf(error);
    const isInternal = holdfastCode === 'INTERNAL';
    // Input errors: one readable sentence plus the issues by field, not a JSON dump in the message.
    const issues = error.cause instanceof ZodError ? error.cause.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) : undefined;
    const message = isInternal
      ? 'internal error'
      : issues !== undefined
        ? `invalid input: ${issues.map((issue) => `${issue.path === '' ? '(body)' : issue.path}: ${issue.message}`).join('; ')}`
        : shape.message;
    // Push fatigue refusals say when asking again may succeed (the transports also send Retry-After).
    const retryAfterMs = error.cause instanceof HoldfastError ? error.cause.retryAfterMs : undefined;
    const retryAfter = retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    return { ...shape, message, data: { ...data, holdfastCode, ...(issues === undefined ? {} : { issues }), ...retryAfter } };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Turns domain errors into transport errors with the right HTTP status, and reports each call's
 * outcome (a verification's accepted/rejected, otherwise ok or the error code) and duration.
 */
const mapErrors = t.middleware(async ({ ctx, next, path }) => {
  const started = performance.now();
  const result = await next();
  const seconds = (performance.now() - started) / 1000;
  if (!result.ok) {
    const error = toTrpcError(result.error);
    ctx.deps.observe?.({ procedure: path, outcome: holdfastCodeOf(error), seconds });
    throw error;
  }
  const data: unknown = result.data;
  const outcome = typeof data === 'object' && data !== null && 'outcome' in data && typeof data.outcome === 'string' ? data.outcome : 'ok';
  ctx.deps.observe?.({ procedure: path, outcome, seconds });
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

/** Relying-application calls: `Authorization: Bearer hf_<keyId>_<secret>`. */
export const applicationProcedure = publicProcedure.use(async ({ ctx, next, path, signal }) => {
  let application = ctx.trustedApplication;
  if (application === undefined) {
    try {
      application = await authenticateApiKey({ deps: ctx.deps, bearer: ctx.bearer, signal, failures: ctx.authFailures, ip: ctx.client?.ip ?? null });
    } catch (error) {
      // Only a refused key counts as a failed authentication (a database outage does not).
      if (error instanceof HoldfastError && error.code === 'UNAUTHENTICATED') ctx.client?.onApiKeyResult?.(false);
      // Refused for want of a database: still a refused request the trail must show (issue 12),
      // spooled by auditRejection; attributed only to a key this process verified (verified-api-keys.ts).
      if (error instanceof HoldfastError && error.code === 'DATABASE_UNAVAILABLE') {
        const applicationId = recallVerifiedApiKey(ctx.bearer);
        if (applicationId !== null) await auditRejection({ deps: ctx.deps, applicationId, path, error });
      }
      throw error;
    }
    ctx.client?.onApiKeyResult?.(true);
  }
  const result = await next({ ctx: { application } });
  // A refused request leaves a trace in the audit trail even though it changed nothing else.
  if (!result.ok && result.error.cause instanceof HoldfastError) {
    await auditRejection({ deps: ctx.deps, applicationId: application.id, path, error: result.error.cause });
  }
  return result;
});

/** End-user enrollment calls: `Authorization: Bearer hfs_<session>` from a redeemed enrollment link. */
export const enrollmentProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  const enrollment = await authenticateEnrollmentSession({ deps: ctx.deps, bearer: ctx.bearer });
  const result = await next({ ctx: { enrollment } });
  if (!result.ok && result.error.cause instanceof HoldfastError) {
    await auditRejection({
      deps: ctx.deps,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      path,
      error: result.error.cause,
    });
  }
  return result;
});
