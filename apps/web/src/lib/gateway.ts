// Server-side access to the Holdfast gateways with the typed tRPC client. The browser never talks
// to a gateway and never sees the enrollment session token: pages, route handlers and server
// actions call through here with the token from the httpOnly cookie.
import type { AppRouter } from '@holdfast/api';
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { webEnv } from '../env';

export type GatewayClient = TRPCClient<AppRouter>;

/** A gateway answered and refused, or no gateway could be reached (`GATEWAY_UNAVAILABLE`). */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    /** Holdfast's typed error code (`ENROLLMENT_LINK_EXPIRED`, `INVALID_CODE`, …). */
    readonly code: string,
    readonly httpStatus: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** How long one gateway may take before the call gives up on it. */
const tryTimeoutMs = 8_000;

function createGatewayClient(url: string, bearer: string | null): GatewayClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: () => (bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
      }),
    ],
  });
}

function hasRefusedConnection(error: unknown): boolean {
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
  const { httpStatus, holdfastCode } = data as { httpStatus?: unknown; holdfastCode?: unknown };
  if (typeof httpStatus !== 'number' || httpStatus >= 500) return null;
  return new GatewayError(typeof holdfastCode === 'string' ? holdfastCode : 'BAD_REQUEST', httpStatus, error.message);
}

/**
 * Runs `call` against the configured gateways, preferred first. A refused connection means the
 * request never arrived, so the next gateway is asked. Other failures move on only when
 * `isIdempotent` (reads, renames): redeeming a link or starting an enrollment twice is not harmless.
 */
export async function callGateway<T>(options: {
  bearer: string | null;
  isIdempotent: boolean;
  call: (client: GatewayClient, signal: AbortSignal) => Promise<T>;
  /** Per-gateway limit; longer only for a call that waits on purpose (the push status long-poll). */
  timeoutMs?: number;
  /** Ends the call early, e.g. when the browser that asked has gone. */
  signal?: AbortSignal;
}): Promise<T> {
  const failures: string[] = [];
  for (const url of webEnv().HOLDFAST_GATEWAY_URLS) {
    try {
      const timeout = AbortSignal.timeout(options.timeoutMs ?? tryTimeoutMs);
      return await options.call(createGatewayClient(url, options.bearer), options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]));
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      const refusal = toGatewayError(error);
      if (refusal !== null) throw refusal;
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!options.isIdempotent && !hasRefusedConnection(error)) break;
    }
  }
  // Logged for the operator; the user only ever sees words from messages.ts.
  console.error(`holdfast web: no gateway answered: ${failures.join('; ')}`);
  throw new GatewayError('GATEWAY_UNAVAILABLE', null, 'no gateway answered');
}
