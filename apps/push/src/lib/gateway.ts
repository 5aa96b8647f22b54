// The PWA's server side calling the gateways (never the database) with the typed tRPC client. The
// browser signs; this only forwards what it signed, so nothing here can answer for a device.
import type { AppRouter } from '@holdfast/api';
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import { pushEnv } from '../env';

type Gateway = TRPCClient<AppRouter>;

/**
 * - `any-failure`: reads, and answers/subscription updates — the gateway's compare-and-set makes a
 *   re-sent answer count once, so a 5xx or a timeout may move on to the next gateway.
 * - `refused-only`: pairing redeems a one-time token; it moves on only when the connection was
 *   refused, i.e. the request surely never arrived.
 */
export type FailoverPolicy = 'any-failure' | 'refused-only';

/** The gateway's typed refusal (4xx), or `GATEWAY_UNAVAILABLE` when none answered. */
export class GatewayRefusal extends Error {
  override readonly name = 'GatewayRefusal';
  constructor(readonly code: string) {
    super(code);
  }
}

const perTryTimeoutMs = 6_000;
const clients = new Map<string, Gateway>();

function gatewayAt(url: string): Gateway {
  let client = clients.get(url);
  if (client === undefined) {
    client = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc` })] });
    clients.set(url, client);
  }
  return client;
}

/** What a failure says: an answer from the gateway, a request that never left, or anything else. */
function classify(error: unknown): { kind: 'answer'; code: string } | { kind: 'unsent' } | { kind: 'unknown' } {
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<AppRouter>).data as { httpStatus?: unknown; holdfastCode?: unknown } | undefined;
    if (typeof data?.httpStatus === 'number' && data.httpStatus < 500) {
      return { kind: 'answer', code: typeof data.holdfastCode === 'string' ? data.holdfastCode : 'BAD_REQUEST' };
    }
  }
  for (let cause: unknown = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 6; depth += 1) {
    if ((cause as { code?: unknown }).code === 'ECONNREFUSED') return { kind: 'unsent' };
    cause = (cause as { cause?: unknown }).cause;
  }
  return { kind: 'unknown' };
}

/** Tries the gateways in HOLDFAST_GATEWAY_URLS order (nearest first) under `policy`. */
export async function askGateways<T>(policy: FailoverPolicy, call: (gateway: Gateway, signal: AbortSignal) => Promise<T>): Promise<T> {
  const tried: string[] = [];
  for (const url of pushEnv().HOLDFAST_GATEWAY_URLS) {
    try {
      return await call(gatewayAt(url), AbortSignal.timeout(perTryTimeoutMs));
    } catch (error) {
      const outcome = classify(error);
      if (outcome.kind === 'answer') throw new GatewayRefusal(outcome.code);
      tried.push(`${url} (${outcome.kind === 'unsent' ? 'refused' : error instanceof Error ? error.message : 'failed'})`);
      if (outcome.kind === 'unknown' && policy === 'refused-only') break;
    }
  }
  console.error(`holdfast push: no gateway answered: ${tried.join(', ')}`);
  throw new GatewayRefusal('GATEWAY_UNAVAILABLE');
}
