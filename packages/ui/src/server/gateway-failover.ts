// Reaching the Holdfast gateways from a Next.js server (the portal and the admin console): one
// failover loop and one typed refusal. tRPC stays in the apps (the layer rules keep @trpc/* out of
// packages/ui): each app makes its own client and says which errors are a gateway's answer.

import { deadlineSignal } from '@holdfast/validators';

/** A gateway answered and refused, or no gateway could be reached (`GATEWAY_UNAVAILABLE`). */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    /** Holdfast's typed error code (`ENROLLMENT_LINK_EXPIRED`, `ADMIN_LOCKED`, …). */
    readonly code: string,
    readonly httpStatus: number | null,
    message: string,
    /** From the gateway's Retry-After (ADMIN_LOCKED, RATE_LIMITED). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** True when some cause of `error` is a refused TCP connection: the request never arrived. */
export function hasRefusedConnection(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    if ((current as { code?: unknown }).code === 'ECONNREFUSED') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The gateway's typed refusal (4xx) from the `data` of a tRPC client error, or null when the
 * failure says nothing about the request (5xx, no status).
 */
export function gatewayErrorFromData(data: unknown, message: string): GatewayError | null {
  if (typeof data !== 'object' || data === null) return null;
  const { httpStatus, holdfastCode, retryAfterSeconds } = data as { httpStatus?: unknown; holdfastCode?: unknown; retryAfterSeconds?: unknown };
  if (typeof httpStatus !== 'number' || httpStatus >= 500) return null;
  return new GatewayError(
    typeof holdfastCode === 'string' ? holdfastCode : 'BAD_REQUEST',
    httpStatus,
    message,
    typeof retryAfterSeconds === 'number' ? retryAfterSeconds : null,
  );
}

export interface CallWithFailoverOptions<Client, T> {
  /** Gateway base URLs, preferred first. */
  urls: readonly string[];
  createClient: (url: string) => Client;
  /** The gateway's typed refusal, or null when the error says nothing about the request. */
  toRefusal: (error: unknown) => GatewayError | null;
  /** How long one gateway may take before the call gives up on it. */
  tryTimeoutMs: number;
  /** Names the app in the operator's log line (`holdfast web`, `holdfast admin`). */
  logPrefix: string;
  isIdempotent: boolean;
  call: (client: Client, signal: AbortSignal) => Promise<T>;
  /** Ends the call early, e.g. when the browser that asked has gone. */
  signal?: AbortSignal;
}

/**
 * Runs `call` against the gateways, preferred first. A refused connection means the request never
 * arrived, so the next gateway is asked. Other failures move on only when `isIdempotent` (reads):
 * a code or a sign-in attempt is counted where it arrived, and redeeming a link twice is not harmless.
 */
export async function callWithFailover<Client, T>(options: CallWithFailoverOptions<Client, T>): Promise<T> {
  const failures: string[] = [];
  for (const url of options.urls) {
    try {
      // deadlineSignal: AbortSignal.any + AbortSignal.timeout stops firing once a GC has run (see there).
      const { signal, clear } = deadlineSignal(options.tryTimeoutMs, options.signal);
      try {
        return await options.call(options.createClient(url), signal);
      } finally {
        clear();
      }
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      const refusal = options.toRefusal(error);
      if (refusal !== null) throw refusal;
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!options.isIdempotent && !hasRefusedConnection(error)) break;
    }
  }
  // Logged for the operator; a page only ever shows words from the app's messages.ts.
  console.error(`${options.logPrefix}: no gateway answered: ${failures.join('; ')}`);
  throw new GatewayError('GATEWAY_UNAVAILABLE', null, 'no gateway answered');
}

/** What an app's `callGateway` takes: who calls, whether a retry elsewhere is harmless, and the call. */
export interface GatewayCallOptions<Client, T> {
  /** The caller's session token, or null for a call without one. */
  bearer: string | null;
  isIdempotent: boolean;
  call: (client: Client, signal: AbortSignal) => Promise<T>;
  /** Per-gateway limit instead of the app's; longer only for a call that waits on purpose (a long-poll). */
  timeoutMs?: number;
  /** Ends the call early, e.g. when the browser that asked has gone. */
  signal?: AbortSignal;
}

/**
 * An app's `callGateway`: `callWithFailover` over the app's gateway list (read per call: the env is
 * read lazily, so `next build` does not need it) with a client made for the caller's bearer token.
 */
export function createGatewayCaller<Client>(app: {
  urls: () => readonly string[];
  createClient: (url: string, bearer: string | null) => Client;
  toRefusal: (error: unknown) => GatewayError | null;
  tryTimeoutMs: number;
  logPrefix: string;
}): <T>(options: GatewayCallOptions<Client, T>) => Promise<T> {
  return (options) =>
    callWithFailover({
      urls: app.urls(),
      createClient: (url) => app.createClient(url, options.bearer),
      toRefusal: app.toRefusal,
      tryTimeoutMs: options.timeoutMs ?? app.tryTimeoutMs,
      logPrefix: app.logPrefix,
      isIdempotent: options.isIdempotent,
      call: options.call,
      signal: options.signal,
    });
}
