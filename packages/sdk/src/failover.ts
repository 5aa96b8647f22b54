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

// Its own walker of the cause chain, not db's `errorChain`: relying applications install the SDK
// alone, and it must not pull in the server's database package.
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

/** What the last /readyz probe said about a gateway. */
interface Health {
  isReady: boolean;
  latencyMs: number;
  region: string | null;
}

export interface RunOptions<T, TClient> {
  deadlineMs: number;
  tryTimeoutMs: number;
  policy: RetryPolicy;
  /** If set (retry-anywhere only): after this long without an answer, send the same request to a gateway in another region too. */
  hedgeAfterMs?: number;
  call: (client: TClient, signal: AbortSignal) => Promise<T>;
}

/**
 * Runs calls against a list of gateways: ready gateways first, then the faster ones (from periodic
 * /readyz probes, which report the gateway's own end-to-end canary login), then the configured
 * order. A failed gateway is left at once for the next; when all have failed the list is walked
 * again after a short pause, until the deadline. Each try gets at most `tryTimeoutMs`.
 */
export class GatewayRotation<TClient> {
  private preferred = 0;
  private readonly health: (Health | null)[];
  private probeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly gateways: readonly { url: string; client: TClient }[],
    options: { probeIntervalMs?: number } = {},
  ) {
    if (gateways.length === 0) throw new Error('at least one gateway URL is required');
    this.health = gateways.map(() => null);
    if (options.probeIntervalMs !== undefined && options.probeIntervalMs > 0) {
      void this.probe();
      this.probeTimer = setInterval(() => void this.probe(), options.probeIntervalMs);
      this.probeTimer.unref(); // probing must never keep the application alive
    }
  }

  close(): void {
    if (this.probeTimer !== null) clearInterval(this.probeTimer);
  }

  /** Asks every gateway's /readyz; a gateway that does not answer in 2 s counts as not ready. */
  async probe(): Promise<void> {
    await Promise.all(
      this.gateways.map(async (gateway, index) => {
        const started = performance.now();
        try {
          const response = await fetch(`${gateway.url.replace(/\/$/, '')}/readyz`, { signal: AbortSignal.timeout(2_000) });
          const body = (await response.json()) as { region?: string };
          this.health[index] = { isReady: response.ok, latencyMs: performance.now() - started, region: body.region ?? null };
        } catch {
          this.health[index] = { isReady: false, latencyMs: Number.POSITIVE_INFINITY, region: this.health[index]?.region ?? null };
        }
      }),
    );
  }

  /** Gateway indices, best first. */
  order(): number[] {
    // Latency in 20 ms bands: small differences are noise; the configured order (nearest first) breaks ties.
    const band = (i: number): number => Math.floor((this.health[i]?.latencyMs ?? 0) / 20);
    return this.gateways
      .map((_, i) => i)
      .sort(
        (a, b) =>
          Number(this.health[b]?.isReady ?? true) - Number(this.health[a]?.isReady ?? true) ||
          band(a) - band(b) ||
          Number(b === this.preferred) - Number(a === this.preferred) ||
          a - b,
      );
  }

  async run<T>(options: RunOptions<T, TClient>): Promise<T> {
    const controller = new AbortController();
    const deadline = Date.now() + options.deadlineMs;
    const order = this.order();
    const first = this.runSequential(order, deadline, controller.signal, options);
    if (options.hedgeAfterMs === undefined || options.policy !== 'retry-anywhere' || order.length < 2) return first;
    // Hedge: the same request (same attempt id) to the best gateway in another region, if the first is slow.
    const firstRegion = this.health[order[0] ?? 0]?.region ?? null;
    const otherRegion = order.find((i) => i !== order[0] && (firstRegion === null || this.health[i]?.region !== firstRegion)) ?? order[1] ?? 0;
    const hedgeOrder = [otherRegion, ...order.filter((i) => i !== otherRegion)];
    const hedgeDelay = options.hedgeAfterMs;
    const isSettled = (): boolean => controller.signal.aborted;
    const hedge = (async (): Promise<T> => {
      await Promise.race([sleep(hedgeDelay), first.catch(() => undefined)]);
      if (isSettled()) throw new HoldfastUnavailableError('hedge not needed', []);
      return this.runSequential(hedgeOrder, deadline, controller.signal, options);
    })();
    try {
      return await firstAnswer([first, hedge]);
    } finally {
      controller.abort(); // the slower one stops
    }
  }

  private async runSequential<T>(order: number[], deadline: number, stop: AbortSignal, options: RunOptions<T, TClient>): Promise<T> {
    const failures = new Map<string, string>();
    const isStopped = (): boolean => stop.aborted; // read afresh: the other half of a hedge may stop us
    for (let pass = 0; Date.now() < deadline && !isStopped(); pass += 1) {
      if (pass > 0) await sleep(Math.min(100 * pass, 1000, Math.max(0, deadline - Date.now())));
      for (const index of order) {
        const gateway = this.gateways[index];
        const remaining = deadline - Date.now();
        if (gateway === undefined || remaining <= 0 || isStopped()) break;
        // One slow gateway must not spend the whole deadline: each try gets at most tryTimeoutMs.
        const signal = AbortSignal.any([AbortSignal.timeout(Math.min(remaining, options.tryTimeoutMs)), stop]);
        try {
          const result = await options.call(gateway.client, signal);
          this.preferred = index;
          return result;
        } catch (error) {
          const classified = classify(error, signal);
          if (classified.kind === 'answer') throw toApiError(error);
          failures.set(gateway.url, classified.reason);
          const health = this.health[index];
          if (health != null && classified.kind === 'unsent') health.isReady = false; // until the next probe says otherwise
          if (classified.kind === 'retryable' && options.policy === 'retry-if-unsent') {
            throw new HoldfastUnavailableError('the gateway failed after it may have received the request; not retried', toList(failures));
          }
        }
      }
    }
    throw new HoldfastUnavailableError(`no gateway answered within ${options.deadlineMs} ms`, toList(failures));
  }
}

/** The first promise that settles with an answer (a result or a 4xx); unavailability only if both are. */
async function firstAnswer<T>(promises: Promise<T>[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let pending = promises.length;
    let unavailable: HoldfastUnavailableError | null = null;
    for (const promise of promises) {
      promise.then(resolve, (error: unknown) => {
        if (!(error instanceof HoldfastUnavailableError)) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        // Keep the report that says what the gateways answered, not "hedge not needed".
        if (unavailable === null || error.failures.length > 0) unavailable = error;
        pending -= 1;
        if (pending === 0) reject(unavailable);
      });
    }
  });
}

function toList(failures: Map<string, string>): { gateway: string; reason: string }[] {
  return [...failures].map(([gateway, reason]) => ({ gateway, reason }));
}
