// Server-side access to the Holdfast gateways (tRPC over HTTP). The browser never talks to a
// gateway and never sees an admin token: pages, route handlers and server actions call through
// here with the token from the sealed httpOnly cookie. Which procedures exist and what they answer
// is admin-api.ts's business alone; this file only knows how to reach a gateway.
import type { AppRouter } from '@holdfast/api';
import { createTRPCUntypedClient, httpLink, TRPCClientError, type TRPCUntypedClient } from '@trpc/client';
import { adminEnv } from '../env';

export type GatewayClient = TRPCUntypedClient<AppRouter>;

/** A gateway answered and refused, or no gateway could be reached (`GATEWAY_UNAVAILABLE`). */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    /** Holdfast's typed error code (`ADMIN_SIGN_IN_FAILED`, `ADMIN_LOCKED`, …). */
    readonly code: string,
    readonly httpStatus: number | null,
    message: string,
    /** From the gateway's Retry-After (ADMIN_LOCKED, RATE_LIMITED). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** How long one gateway may take before the call gives up on it (a sign-in runs scrypt: allow for it). */
const tryTimeoutMs = 10_000;

function createGatewayClient(url: string, bearer: string | null): GatewayClient {
  return createTRPCUntypedClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => (bearer === null ? {} : { authorization: `Bearer ${bearer}` }) })],
  });
}

export function hasRefusedConnection(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    if ((current as { code?: unknown }).code === 'ECONNREFUSED') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The gateway's typed refusal (4xx), or null when the failure says nothing about the request. */
export function toGatewayError(error: unknown): GatewayError | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data: unknown = (error as TRPCClientError<AppRouter>).data;
  if (typeof data !== 'object' || data === null) return null;
  const { httpStatus, holdfastCode, retryAfterSeconds } = data as { httpStatus?: unknown; holdfastCode?: unknown; retryAfterSeconds?: unknown };
  if (typeof httpStatus !== 'number' || httpStatus >= 500) return null;
  return new GatewayError(
    typeof holdfastCode === 'string' ? holdfastCode : 'BAD_REQUEST',
    httpStatus,
    error.message,
    typeof retryAfterSeconds === 'number' ? retryAfterSeconds : null,
  );
}

/**
 * Runs `call` against the configured gateways, preferred first. A refused connection means the
 * request never arrived, so the next gateway is asked. Other failures move on only when
 * `isIdempotent` (reads): a sign-in attempt or a code is counted where it arrived.
 */
export async function callGateway<T>(options: {
  bearer: string | null;
  isIdempotent: boolean;
  call: (client: GatewayClient, signal: AbortSignal) => Promise<T>;
  signal?: AbortSignal;
}): Promise<T> {
  const failures: string[] = [];
  for (const url of adminEnv().HOLDFAST_GATEWAY_URLS) {
    try {
      const timeout = AbortSignal.timeout(tryTimeoutMs);
      return await options.call(createGatewayClient(url, options.bearer), options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]));
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      const refusal = toGatewayError(error);
      if (refusal !== null) throw refusal;
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!options.isIdempotent && !hasRefusedConnection(error)) break;
    }
  }
  // Logged for the operator; the page only ever shows words from messages.ts.
  console.error(`holdfast admin: no gateway answered: ${failures.join('; ')}`);
  throw new GatewayError('GATEWAY_UNAVAILABLE', null, 'no gateway answered');
}
