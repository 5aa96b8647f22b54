import { TRPCClientError } from '@trpc/client';
import { HoldfastApiError, HoldfastUnavailableError } from './errors';

/**
 * - `retry-anywhere`: the request is idempotent (it carries an attempt id, or only reads), so it may be
 *   re-sent to another gateway after any failure — including a timeout after the first one got it.
 * - `retry-if-unsent`: re-send only when the connection was refused, i.e. the request surely never
 *   arrived (creating an enrollment link or redeeming one twice is not harmless).
 */
export type RetryPolicy = 'retry-anywhere' | 'retry-if-unsent';

interface Classified {
  kind: 'answer' | 'retryable' | 'unsent';
  reason: string;
}

function causeChainCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

function classify(error: unknown, signal: AbortSignal): Classified {
  if (signal.aborted) return { kind: 'retryable', reason: 'deadline' };
  if (error instanceof TRPCClientError) {
    const data = (error as TRPCClientError<never>).data as { httpStatus?: number; holdfastCode?: string } | undefined;
    const status = data?.httpStatus;
    if (typeof status === 'number' && status < 500) return { kind: 'answer', reason: data?.holdfastCode ?? String(status) };
    if (typeof status === 'number') return { kind: 'retryable', reason: `${status} ${data?.holdfastCode ?? ''}`.trim() };
  }
  const codes = causeChainCodes(error);
  if (codes.includes('ECONNREFUSED')) return { kind: 'unsent', reason: 'ECONNREFUSED' };
  return { kind: 'retryable', reason: codes[0] ?? (error instanceof Error ? error.message : 'unknown error') };
}

function toApiError(error: unknown): HoldfastApiError {
  const trpc = error as TRPCClientError<never>;
  const data = trpc.data as { httpStatus?: number; holdfastCode?: string } | undefined;
  return new HoldfastApiError(data?.holdfastCode ?? 'BAD_REQUEST', data?.httpStatus ?? 400, trpc.message);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` against the gateways in order, starting with the one that last answered, until one
 * answers or the deadline passes. Each try gets at most `tryTimeoutMs` of the time that is left;
 * when every gateway has failed, the list is walked again after a short pause.
 */
export class GatewayRotation<TClient> {
  private preferred = 0;

  constructor(private readonly gateways: readonly { url: string; client: TClient }[]) {
    if (gateways.length === 0) throw new Error('at least one gateway URL is required');
  }

  async run<T>(options: { deadlineMs: number; tryTimeoutMs: number; policy: RetryPolicy; call: (client: TClient, signal: AbortSignal) => Promise<T> }): Promise<T> {
    const deadline = Date.now() + options.deadlineMs;
    const failures = new Map<string, string>();
    for (let pass = 0; Date.now() < deadline; pass += 1) {
      if (pass > 0) await sleep(Math.min(100 * pass, 1000, Math.max(0, deadline - Date.now())));
      for (let offset = 0; offset < this.gateways.length; offset += 1) {
        const index = (this.preferred + offset) % this.gateways.length;
        const gateway = this.gateways[index];
        const remaining = deadline - Date.now();
        if (gateway === undefined || remaining <= 0) break;
        // One slow gateway must not spend the whole deadline: each try gets at most tryTimeoutMs.
        const signal = AbortSignal.timeout(Math.min(remaining, options.tryTimeoutMs));
        try {
          const result = await options.call(gateway.client, signal);
          this.preferred = index;
          return result;
        } catch (error) {
          const classified = classify(error, signal);
          if (classified.kind === 'answer') throw toApiError(error);
          failures.set(gateway.url, classified.reason);
          if (classified.kind === 'retryable' && options.policy === 'retry-if-unsent') {
            throw new HoldfastUnavailableError('the gateway failed after it may have received the request; not retried', toList(failures));
          }
        }
      }
    }
    throw new HoldfastUnavailableError(`no gateway answered within ${options.deadlineMs} ms`, toList(failures));
  }
}

function toList(failures: Map<string, string>): { gateway: string; reason: string }[] {
  return [...failures].map(([gateway, reason]) => ({ gateway, reason }));
}
