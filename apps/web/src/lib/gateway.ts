// Server-side access to the Holdfast gateways with the typed tRPC client. The browser never talks
// to a gateway and never sees the enrollment session token: pages, route handlers and server
// actions call through here with the token from the httpOnly cookie. The failover loop and
// GatewayError are shared with the admin console (@holdfast/ui/server).
import type { AppRouter } from '@holdfast/api';
import { createGatewayCaller, GatewayError, gatewayErrorFromData, type GatewayCallOptions } from '@holdfast/ui/server';
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { webEnv } from '../env';

export { GatewayError };

export type GatewayClient = TRPCClient<AppRouter>;

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

/** The gateway's typed refusal (4xx), or null when the failure says nothing about the request. */
export function toGatewayError(error: unknown): GatewayError | null {
  if (!(error instanceof TRPCClientError)) return null;
  return gatewayErrorFromData((error as TRPCClientError<AppRouter>).data, error.message);
}

/**
 * Runs `call` against the configured gateways, preferred first. A refused connection means the
 * request never arrived, so the next gateway is asked. Other failures move on only when
 * `isIdempotent` (reads, renames): redeeming a link or starting an enrollment twice is not harmless.
 * `timeoutMs` is longer only for a call that waits on purpose (the push status long-poll).
 */
export const callGateway: <T>(options: GatewayCallOptions<GatewayClient, T>) => Promise<T> = createGatewayCaller({
  urls: () => webEnv().HOLDFAST_GATEWAY_URLS,
  createClient: createGatewayClient,
  toRefusal: toGatewayError,
  tryTimeoutMs,
  logPrefix: 'holdfast web',
});
