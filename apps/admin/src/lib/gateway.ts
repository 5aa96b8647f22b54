// Server-side access to the Holdfast gateways (tRPC over HTTP). The browser never talks to a
// gateway and never sees an admin token: pages, route handlers and server actions call through
// here with the token from the sealed httpOnly cookie. Which procedures exist and what they answer
// is admin-api.ts's business alone; this file only knows how to reach a gateway. The failover loop
// and GatewayError are shared with the portal (@holdfast/ui/server).
import type { AppRouter } from '@holdfast/api';
import { createGatewayCaller, GatewayError, gatewayErrorFromData, hasRefusedConnection, type GatewayCallOptions } from '@holdfast/ui/server';
import { createTRPCUntypedClient, httpLink, TRPCClientError, type TRPCUntypedClient } from '@trpc/client';
import { adminEnv } from '../env';

export { GatewayError, hasRefusedConnection };

export type GatewayClient = TRPCUntypedClient<AppRouter>;

/** How long one gateway may take before the call gives up on it (a sign-in runs scrypt: allow for it). */
const tryTimeoutMs = 10_000;

function createGatewayClient(url: string, bearer: string | null): GatewayClient {
  return createTRPCUntypedClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, headers: () => (bearer === null ? {} : { authorization: `Bearer ${bearer}` }) })],
  });
}

/** The gateway's typed refusal (4xx), or null when the failure says nothing about the request. */
export function toGatewayError(error: unknown): GatewayError | null {
  if (!(error instanceof TRPCClientError)) return null;
  return gatewayErrorFromData((error as TRPCClientError<AppRouter>).data, error.message);
}

/**
 * Runs `call` against the configured gateways, preferred first. A refused connection means the
 * request never arrived, so the next gateway is asked. Other failures move on only when
 * `isIdempotent` (reads): a sign-in attempt or a code is counted where it arrived.
 */
export const callGateway: <T>(options: Omit<GatewayCallOptions<GatewayClient, T>, 'timeoutMs'>) => Promise<T> = createGatewayCaller({
  urls: () => adminEnv().HOLDFAST_GATEWAY_URLS,
  createClient: createGatewayClient,
  toRefusal: toGatewayError,
  tryTimeoutMs,
  logPrefix: 'holdfast admin',
});
