import { HoldfastError } from '@holdfast/core';
import { getTRPCErrorFromUnknown } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { holdfastCodeOf, toTrpcError } from '../../errors';
import { problemOf, type Problem } from '../../rest/problem';
import type { RequestClient } from '../../trpc';
import type { AuthFailureRecorder } from '../audit/auth-failure-counter';
import { authenticateApiKey } from '../auth/authenticate-api-key';

/**
 * The relying application behind a live audit stream request (`Authorization: Bearer hf_…`),
 * authenticated exactly as `applicationProcedure` does for every /v1 call: a refused key is
 * counted (not audited row by row) and told to the gateway's flood shield; a database outage is
 * not a failed authentication.
 */
export async function authenticateAuditStreamApplication(options: {
  deps: ServiceDeps;
  bearer: string | null;
  client?: RequestClient | undefined;
  authFailures?: AuthFailureRecorder | undefined;
  signal?: AbortSignal | undefined;
}): Promise<ApplicationPrincipal> {
  const { client } = options;
  let application: ApplicationPrincipal;
  try {
    application = await authenticateApiKey({
      deps: options.deps,
      bearer: options.bearer,
      signal: options.signal,
      failures: options.authFailures,
      ip: client?.ip ?? null,
    });
  } catch (error) {
    if (error instanceof HoldfastError && error.code === 'UNAUTHENTICATED') client?.onApiKeyResult?.(false);
    throw error;
  }
  client?.onApiKeyResult?.(true);
  return application;
}

/**
 * A refusal of the stream as the REST layer's problem details: the status and typed code come
 * from the one mapping every procedure uses (errors.ts), so 401/400/503 read as on any /v1 call.
 */
export function auditStreamProblemOf(error: unknown, issues?: Problem['issues']): Problem {
  const mapped = toTrpcError(getTRPCErrorFromUnknown(error));
  const holdfastCode = holdfastCodeOf(mapped);
  return problemOf({
    holdfastCode,
    status: getHTTPStatusCodeFromError(mapped),
    // Internal errors say nothing about internals (as the router's errorFormatter does).
    detail: holdfastCode === 'INTERNAL' ? 'internal error' : mapped.message,
    ...(issues === undefined ? {} : { issues }),
    ...(holdfastCode === 'DATABASE_UNAVAILABLE' || holdfastCode === 'GATEWAY_OVERLOADED' ? { retryAfterSeconds: 1 } : {}),
  });
}
