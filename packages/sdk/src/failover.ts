import { deadlineSignal } from '@holdfast/validators';
import { TRPCClientError } from '@trpc/client';
import { HoldfastApiError, HoldfastUnavailableError, type HoldfastTry } from './errors';
import { createTransport, type Transport } from './transport';

/**
 * - `retry-anywhere`: the request is idempotent (it carries an attempt id, or only reads), so it may be
 *   re-sent to another gateway after any failure — including a timeout after the first one got it.
 * - `retry-if-unsent`: re-send only when the connection was refused, i.e. the request surely never
 *   arrived (creating an enrollment link or redeeming one twice is not harmless).
 */
export type RetryPolicy = 'retry-anywhere' | 'retry-if-unsent';

interface Classified {
  /**
   * `refused`: the gateway turned the request away before any work — its admission queue was full
   * (503 GATEWAY_OVERLOADED) or a rate limit of its own was spent (429 RATE_LIMITED). Safe to send
   * anywhere else at once whatever the policy; that gateway is left alone for `retryAfterMs`.
   */
  kind: 'answer' | 'retryable' | 'unsent' | 'refused';
  reason: string;
  retryAfterMs?: number;
}

/** Refusals made before any work, by typed code. */
const refusedBeforeWork = new Set(['GATEWAY_OVERLOADED', 'RATE_LIMITED']);

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
    const data = (error as TRPCClientError<never>).data as { httpStatus?: number; holdfastCode?: string; retryAfterSeconds?: number } | undefined;
    const status = data?.httpStatus;
    if (data?.holdfastCode !== undefined && refusedBeforeWork.has(data.holdfastCode)) {
      // Retry-After is a header the tRPC client does not expose: 429s repeat it in the body, 503s say 1 s.
      const seconds = typeof data.retryAfterSeconds === 'number' && data.retryAfterSeconds > 0 ? data.retryAfterSeconds : 1;
      return { kind: 'refused', reason: data.holdfastCode, retryAfterMs: Math.min(seconds, 60) * 1000 };
    }
    if (typeof status === 'number' && status < 500) return { kind: 'answer', reason: data?.holdfastCode ?? String(status) };
    if (typeof status === 'number') return { kind: 'retryable', reason: `${status} ${data?.holdfastCode ?? ''}`.trim() };
  }
  const codes = causeChainCodes(error);
  if (codes.includes('ECONNREFUSED')) return { kind: 'unsent', reason: 'ECONNREFUSED' };
  return { kind: 'retryable', reason: codes[0] ?? (error instanceof Error ? error.message : 'unknown error') };
}

function toApiError(error: unknown): HoldfastApiError {
  const trpc = error as TRPCClientError<never>;
  const data = trpc.data as { httpStatus?: number; holdfastCode?: string; retryAfterSeconds?: number } | undefined;
  const retryAfterMs = typeof data?.retryAfterSeconds === 'number' ? data.retryAfterSeconds * 1000 : undefined;
  return new HoldfastApiError(data?.holdfastCode ?? 'BAD_REQUEST', data?.httpStatus ?? 400, trpc.message, retryAfterMs);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Per-call costs the SDK avoids (a CPU profile of the drills' load generator, the SDK at 212 calls/s:
 * AbortSignal construction ~6 % of its busy time — Node 20 makes every AbortSignal transferable —
 * and DOMException ~2 %): a call that cannot hedge has no stop signal at all (nothing can stop it
 * but its deadline); a hedged call stops its slower half with one shared reason, not a fresh DOMException.
 */
const settled = new Error('the call was answered by its other half');

/** What the last /readyz probe said about a gateway. */
interface Health {
  isReady: boolean;
  /** It answered the probe at all (even 503 not ready): alive and reachable, unlike one whose probe got no answer. */
  isReachable: boolean;
  latencyMs: number;
  region: string | null;
}

/** One half of a call: when the call began, the signal that stops the slower half, the call's tries. */
interface CallState {
  /** Absent when the call cannot hedge: there is no other half to stop it. */
  stop?: AbortSignal;
  started: number;
  tries: HoldfastTry[];
  isHedge: boolean;
  /** The gateway this half is waiting on now (null between tries). */
  trying: number | null;
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
  /** Until when (epoch ms) each gateway is left alone after it refused a request before any work. */
  private readonly coolingUntil: number[];
  private probeTimer: NodeJS.Timeout | null = null;
  /** Whether /readyz probes run: only then is a gateway that failed one left out (the next probe lets it back in). */
  private readonly isProbing: boolean;
  private readonly request: Transport;

  constructor(
    private readonly gateways: readonly { url: string; client: TClient }[],
    options: { probeIntervalMs?: number; transport?: Transport } = {},
  ) {
    this.request = options.transport ?? createTransport();
    if (gateways.length === 0) throw new Error('at least one gateway URL is required');
    this.health = gateways.map(() => null);
    this.coolingUntil = gateways.map(() => 0);
    const probeIntervalMs = options.probeIntervalMs ?? 0;
    this.isProbing = probeIntervalMs > 0;
    if (this.isProbing) {
      void this.probe();
      this.probeTimer = setInterval(() => void this.probe(), probeIntervalMs);
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
        const { signal, clear } = deadlineSignal(2_000);
        try {
          const response = await this.request(`${gateway.url.replace(/\/$/, '')}/readyz`, { signal });
          const body = (await response.json()) as { region?: string };
          this.health[index] = { isReady: response.ok, isReachable: true, latencyMs: performance.now() - started, region: body.region ?? null };
        } catch {
          this.health[index] = { isReady: false, isReachable: false, latencyMs: Number.POSITIVE_INFINITY, region: this.health[index]?.region ?? null };
        } finally {
          clear();
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
    const started = Date.now();
    // Both halves of a hedge write here, so the error tells every try of the call, not one half's.
    const tries: HoldfastTry[] = [];
    const order = this.order();
    const isHedged = options.hedgeAfterMs !== undefined && options.policy === 'retry-anywhere' && order.length >= 2;
    if (!isHedged) return this.runSequential(order, { started, tries, isHedge: false, trying: null }, options);
    const controller = new AbortController();
    const half = (isHedge: boolean): CallState => ({ stop: controller.signal, started, tries, isHedge, trying: null });
    const firstCall = half(false);
    const first = this.runSequential(order, firstCall, options);
    const hedgeDelay = options.hedgeAfterMs ?? 0;
    const isSettled = (): boolean => controller.signal.aborted;
    const hedge = (async (): Promise<T> => {
      await Promise.race([sleep(hedgeDelay), first.catch(() => undefined)]);
      if (isSettled()) throw new HoldfastUnavailableError('hedge not needed', []);
      // Hedge: the same request (same attempt id) to the other regions' gateways. "Other" than the
      // region of the gateway the first half is waiting on now — not the call's first choice: the
      // first half may have skipped a busy gateway into a region cut off since.
      // Never to that region's: a hedge exists to get out of it, and one that fell back to it after
      // the others refused (busy gateways on the majority side of a partition) spent the rest of the
      // deadline on the cut-off gateways. When they all refuse, the hedge waits out their Retry-After.
      const stuckOn = firstCall.trying ?? order[0] ?? 0;
      const stuckRegion = this.health[stuckOn]?.region ?? null;
      const elsewhere = order.filter((i) => i !== stuckOn && (stuckRegion === null || this.health[i]?.region !== stuckRegion));
      const hedgeOrder = elsewhere.length > 0 ? elsewhere : order;
      return this.runSequential(hedgeOrder, half(true), options);
    })();
    try {
      return await firstAnswer([first, hedge]);
    } finally {
      controller.abort(settled); // the slower one stops
    }
  }

  private async runSequential<T>(order: number[], call: CallState, options: RunOptions<T, TClient>): Promise<T> {
    const { stop } = call;
    const deadline = call.started + options.deadlineMs;
    const isStopped = (): boolean => stop?.aborted === true; // read afresh: the other half of a hedge may stop us
    let lastRefusal: { error: unknown; reason: string } | null = null;
    const allowed = new Set(order);
    const isReachable = (i: number): boolean => this.health[i]?.isReachable ?? true;
    // A gateway whose last /readyz probe got no answer at all (its region cut off, its process
    // gone) is left out while one of this call's gateways answered its own — even one resting after
    // a refusal, or answering 503 while it waits for a new primary: a busy gateway answers within
    // its Retry-After, one whose packets vanish takes the whole try. (Partition-drill calls skipped
    // the busy majority side and spent 7.5-s tries on the cut-off region until their deadline.)
    // With no gateway answering, all are tried.
    const isUsable = (i: number): boolean => !this.isProbing || isReachable(i) || !order.some(isReachable);
    for (let pass = 0; Date.now() < deadline && !isStopped(); pass += 1) {
      const now = Date.now();
      const usable = order.filter(isUsable);
      const isAllCooling = usable.every((i) => (this.coolingUntil[i] ?? 0) > now);
      if (isAllCooling && lastRefusal?.reason === 'RATE_LIMITED') {
        // Every gateway says this caller is over its limit: say so, rather than wait and hammer.
        throw toApiError(lastRefusal.error);
      }
      // Every gateway busy with a surge: wait until the first one said to come back (within the deadline).
      const coolingWait = isAllCooling ? Math.min(...usable.map((i) => this.coolingUntil[i] ?? 0)) - now : 0;
      const backoff = pass > 0 ? Math.min(100 * pass, 1000) : 0;
      const wait = Math.min(Math.max(backoff, coolingWait), Math.max(0, deadline - now));
      if (wait > 0) await sleep(wait);
      const isAnyOpen = usable.some((i) => (this.coolingUntil[i] ?? 0) <= Date.now());
      const tried = new Set<number>();
      for (;;) {
        // Ranked afresh before every try, not once per call: a probe that ran while the last try
        // waited may have found a region cut off since the call began. (A begin sent as a region was
        // cut waited out its try on a majority-side gateway that was waiting for the new primary,
        // then spent the rest of its deadline on the cut-off region's gateways, still first in the
        // order of the call's start — the partition drill's one failed push login.)
        const index = this.order().find((i) => allowed.has(i) && !tried.has(i) && isUsable(i));
        if (index === undefined) break;
        tried.add(index);
        const gateway = this.gateways[index];
        // One clock reading for "is there time left" and "when was it sent": read twice, a try could
        // go out in the millisecond after the deadline and be reported as sent at it.
        const sentAt = Date.now();
        const remaining = deadline - sentAt;
        if (gateway === undefined || remaining <= 0 || isStopped()) break;
        if (isAnyOpen && (this.coolingUntil[index] ?? 0) > Date.now()) continue;
        // One slow gateway must not spend the whole deadline: each try gets at most tryTimeoutMs
        // (deadlineSignal, not AbortSignal.any + AbortSignal.timeout: that one never fired once a
        // garbage collection had run — tries to a cut-off gateway hung past the call's deadline).
        // Linked to the call's stop signal only when it has one (an earlier shared never-stopped signal
        // collected every concurrent call's listener, and node warned of a leak past 10).
        const { signal, clear } = deadlineSignal(Math.min(remaining, options.tryTimeoutMs), stop);
        call.trying = index;
        try {
          const result = await options.call(gateway.client, signal);
          this.preferred = index;
          return result;
        } catch (error) {
          const classified = classify(error, signal);
          if (classified.kind === 'answer') throw toApiError(error);
          call.tries.push({ gateway: gateway.url, reason: classified.reason, atMs: sentAt - call.started, ms: Date.now() - sentAt, isHedge: call.isHedge });
          if (classified.kind === 'refused') {
            this.coolingUntil[index] = Date.now() + (classified.retryAfterMs ?? 1000);
            lastRefusal = { error, reason: classified.reason };
            continue;
          }
          const health = this.health[index];
          if (health != null && classified.kind === 'unsent') {
            // Connection refused: nothing listens there, until the next probe says otherwise.
            health.isReady = false;
            health.isReachable = false;
          }
          if (classified.kind === 'retryable' && options.policy === 'retry-if-unsent') {
            throw unavailableError('the gateway failed after it may have received the request; not retried', call.tries);
          }
        } finally {
          call.trying = null;
          clear();
        }
      }
    }
    // This half's last answer from each gateway it tried (the tries are the call's, both halves').
    const lastReasons = lastReasonByGateway(call.tries.filter((t) => t.isHedge === call.isHedge));
    if (lastRefusal?.reason === 'RATE_LIMITED' && lastReasons.size > 0 && [...lastReasons.values()].every((reason) => reason === 'RATE_LIMITED')) {
      throw toApiError(lastRefusal.error);
    }
    throw unavailableError(`no gateway answered within ${options.deadlineMs} ms`, call.tries);
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
        // Keep the report with the most tries (the later half's has both), not "hedge not needed".
        if (unavailable === null || error.tries.length >= unavailable.tries.length) unavailable = error;
        pending -= 1;
        if (pending === 0) reject(unavailable);
      });
    }
  });
}

/** The last reason per gateway, in the order the gateways were first tried. */
function lastReasonByGateway(tries: readonly HoldfastTry[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const t of tries) last.set(t.gateway, t.reason);
  return last;
}

/** `failures`: the last reason per gateway; `tries`: all of them. */
function unavailableError(message: string, tries: HoldfastTry[]): HoldfastUnavailableError {
  return new HoldfastUnavailableError(
    message,
    [...lastReasonByGateway(tries)].map(([gateway, reason]) => ({ gateway, reason })),
    [...tries],
  );
}
