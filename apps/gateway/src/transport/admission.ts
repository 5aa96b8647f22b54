// Admission control for surges (issue 9, "Surges"): a bounded queue in front of the router.
//
// Past what the database can do, more concurrent work only lengthens every request: all of them
// slow down together, deadlines expire, clients retry and the surge feeds itself. So at most
// `maxInFlight` requests run in the router at once; the next `maxQueue` wait in arrival order, each
// for at most `maxWaitMs`; the rest are refused at once (503 GATEWAY_OVERLOADED, Retry-After), before
// the body is read and before any database work, so the SDK can send them to another gateway with
// the same attempt id. What is admitted keeps a short queueing delay: the time bound, not the queue
// length, is what holds admitted p99.
//
// When the overload lasts, two rules keep what is admitted fast (both measured with `npm run bench
// -- --surge` at a fixed 2,300/s ≈ 2× capacity on 2 cores; BENCH_GATEWAY_ENV sets the limits):
// - while the gate is shedding, a waiter waits `shedWaitMs` (5 ms), not `maxWaitMs` (40): a standing
//   FIFO queue made every admitted request wait out nearly the whole bound first (admitted p99
//   159–332 ms before; 98–112 ms with this rule alone);
// - while the event loop lags, fewer requests run in the router (InFlightLimit, below): admitted
//   p99 38–51 ms in four runs with both rules, with as many or more admitted.
// Fixed lower limits did as well in a surge (4 in flight: 46 ms, 2: 30 ms) but would refuse the
// logins that wait out a failover in their slots, which cost no CPU: the lag tells the two apart.

import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface AdmissionLimits {
  /** Requests in the router at once (default: twice the request pool, so the pool stays busy). */
  maxInFlight: number;
  /** Requests waiting for a slot; beyond this, refused at once. */
  maxQueue: number;
  /** A request that waited this long is refused rather than admitted late. */
  maxWaitMs: number;
  /**
   * The wait bound while the gate is shedding (it refused a request in the last `shedMemoryMs`):
   * under sustained overload a FIFO queue stands full, so every admitted request would wait out
   * nearly `maxWaitMs` before it even starts — a longer wait only turns a fast refusal into a late
   * answer. Bursts on a gate that is not shedding still get `maxWaitMs`.
   */
  shedWaitMs: number;
  /** Under CPU pressure the in-flight limit falls toward this (InFlightLimit). */
  minInFlight: number;
  /** Event-loop lag (ms) that counts as CPU pressure; 0: the limit stays `maxInFlight`. */
  targetLagMs: number;
}

/** How long after its last refusal the gate counts as shedding (short waits). */
export const shedMemoryMs = 1_000;

export const defaultAdmissionLimits = (poolMax: number): AdmissionLimits => ({
  maxInFlight: poolMax * 2,
  maxQueue: 256,
  maxWaitMs: 40,
  shedWaitMs: 5,
  minInFlight: Math.max(2, Math.floor(poolMax / 2)),
  targetLagMs: 10,
});

/**
 * The gate's in-flight limit under CPU pressure: lowered while this process's event loop lags,
 * raised back while it does not (additive increase, multiplicative decrease).
 *
 * Why the loop's lag and not the requests' latency: a request waiting on the database (a failover
 * takes seconds) costs no CPU, and every slot it holds is one more login that rides the failover
 * out — latency would shrink the limit exactly then. A lagging loop means the opposite: the CPU is
 * the bottleneck, and every extra request in the router only stretches the others (measured at 2×
 * capacity on 2 cores: 16 in flight per worker answered admitted requests at p99 98–112 ms, 4 at
 * 46 ms and 2 at 30 ms — and admitted as many or more).
 */
export class InFlightLimit {
  private current: number;

  constructor(
    private readonly settings: {
      /** The configured limit: the value with no CPU pressure. */
      max: number;
      /** Never below this (the slots a worker's share of steady traffic needs). */
      min: number;
      /** A loop that lagged more than this in an interval is under CPU pressure. */
      targetLagMs: number;
    },
  ) {
    this.current = settings.max;
  }

  get value(): number {
    return this.current;
  }

  /** One interval's largest event-loop lag (ms). */
  observe(lagMs: number): void {
    const { max, targetLagMs } = this.settings;
    const min = Math.min(this.settings.min, max);
    if (lagMs > targetLagMs) this.current = Math.max(min, Math.floor(this.current * 0.75));
    else if (lagMs < targetLagMs / 2) this.current = Math.min(max, this.current + 1);
  }
}

/**
 * Feeds `limit` this process's event-loop lag (node's own histogram, sampled every 10 ms): its
 * largest delay in each `intervalMs`. Returns the stop function.
 */
export function sampleLoopLag(limit: InFlightLimit, intervalMs: number, onChange?: (value: number) => void): () => void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const before = limit.value;
    limit.observe(histogram.max / 1e6);
    histogram.reset();
    if (limit.value !== before) onChange?.(limit.value);
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}

interface Waiter<TReq, TRes, TExtra> {
  req: TReq;
  res: TRes;
  extra: TExtra;
  deadline: number;
}

/**
 * The queue, generic over what it carries (an HTTP request, its response, the shield's ticket). `admit` and `refuse`
 * are given once, so a request costs no closure; the caller calls `leave()` once per admitted
 * request when it has been answered (or its connection closed).
 */
export class AdmissionGate<TReq, TRes, TExtra> {
  private inFlight = 0;
  // A FIFO as an array with a moving head: O(1) at both ends, compacted when the head passes half.
  private waiting: (Waiter<TReq, TRes, TExtra> | undefined)[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  /** When this gate last refused a request (-Infinity: never). */
  private lastRefusalAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly handlers: {
      admit: (req: TReq, res: TRes, extra: TExtra) => void;
      refuse: (req: TReq, res: TRes) => void;
      /** A waiter whose client went away is dropped without an answer. */
      isGone: (req: TReq, res: TRes) => boolean;
    },
    private readonly now: () => number = () => performance.now(),
    /** Lowers `maxInFlight` under CPU pressure (absent: always `maxInFlight`). */
    private readonly inFlightLimit?: { readonly value: number },
  ) {}

  /** The limit on requests in the router now. */
  get maxInFlight(): number {
    return this.inFlightLimit === undefined ? this.limits.maxInFlight : Math.min(this.inFlightLimit.value, this.limits.maxInFlight);
  }

  /** Requests running in the router now. */
  get running(): number {
    return this.inFlight;
  }

  /** Requests waiting for a slot now. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  enter(req: TReq, res: TRes, extra: TExtra): void {
    if (this.inFlight < this.maxInFlight && this.queued === 0) {
      this.inFlight += 1;
      this.handlers.admit(req, res, extra);
      return;
    }
    const now = this.now();
    if (this.queued >= this.limits.maxQueue || this.limits.maxWaitMs <= 0) {
      this.refuse(req, res, now);
      return;
    }
    const waitMs = now - this.lastRefusalAt < shedMemoryMs ? Math.min(this.limits.shedWaitMs, this.limits.maxWaitMs) : this.limits.maxWaitMs;
    this.waiting.push({ req, res, extra, deadline: now + waitMs });
    this.armTimer();
  }

  /** Whether the gate refused a request within the last `shedMemoryMs` (new waiters get `shedWaitMs`). */
  get isShedding(): boolean {
    return this.now() - this.lastRefusalAt < shedMemoryMs;
  }

  private refuse(req: TReq, res: TRes, now: number): void {
    this.lastRefusalAt = now;
    this.handlers.refuse(req, res);
  }

  /** One admitted request is done: the oldest live waiter takes its slot. */
  readonly leave = (): void => {
    this.inFlight -= 1;
    this.drain();
  };

  private shift(): Waiter<TReq, TRes, TExtra> | undefined {
    if (this.head >= this.waiting.length) return undefined;
    const waiter = this.waiting[this.head];
    this.waiting[this.head] = undefined;
    this.head += 1;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return waiter;
  }

  private drain(): void {
    const now = this.now();
    while (this.inFlight < this.maxInFlight) {
      const waiter = this.shift();
      if (waiter === undefined) break;
      if (this.handlers.isGone(waiter.req, waiter.res)) continue;
      if (waiter.deadline < now) {
        this.refuse(waiter.req, waiter.res, now);
        continue;
      }
      this.inFlight += 1;
      this.handlers.admit(waiter.req, waiter.res, waiter.extra);
    }
    this.expire(now);
    this.armTimer();
  }

  /** Refuses waiters past their deadline even while no slot frees (every running request hangs). */
  private expire(now: number): void {
    for (;;) {
      const waiter = this.waiting[this.head];
      if (waiter === undefined || waiter.deadline >= now) return;
      this.shift();
      if (!this.handlers.isGone(waiter.req, waiter.res)) this.refuse(waiter.req, waiter.res, now);
    }
  }

  private armTimer(): void {
    const first = this.waiting[this.head];
    if (first === undefined) {
      if (this.timer !== null) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      return;
    }
    if (this.timer !== null) return;
    // One timer for the whole queue, set for the oldest waiter (deadlines grow along the queue).
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.drain();
      },
      Math.max(1, first.deadline - this.now() + 1),
    );
    this.timer.unref();
  }

  /** Stops the timer and refuses every waiter (the server is closing). */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (let waiter = this.shift(); waiter !== undefined; waiter = this.shift()) {
      if (!this.handlers.isGone(waiter.req, waiter.res)) this.handlers.refuse(waiter.req, waiter.res);
    }
  }
}

/** Long-polls waiting at once per worker, outside the admission gate (a wait costs a socket and a timer, not a slot). */
export const defaultMaxLongPolls = 1000;

/** Paths of the procedures that may long-poll (verify.pushStatus, hosted.pushStatus; REST too). */
export const longPollPath = /^\/(?:trpc\/(?:(?:verify|hosted)\.pushStatus|enrollment\.stepUpPushStatus)|v1\/verify\/push-status)(?:\?|$)/;

/**
 * A long-poll (issue 11: `verify.pushStatus` with `waitMs`) must not hold one of the gate's
 * `maxInFlight` slots while it waits: 40 waiting relying apps would otherwise refuse every login on
 * the worker. An admitted long-poll that is about to wait hands its slot back (`leave`) and counts
 * here instead, up to `max` per worker; beyond that it is told to answer at once with the current
 * status (the caller polls again). The slot is given back exactly once: the gate's 'close'
 * listener is swapped for this one's.
 */
export class LongPollSlots {
  private waiting = 0;

  constructor(private readonly max: number = defaultMaxLongPolls) {}

  /** Long-polls waiting now. */
  get count(): number {
    return this.waiting;
  }

  leave(
    res: { once: (event: 'close', listener: () => void) => unknown; off: (event: 'close', listener: () => void) => unknown },
    gateLeave: () => void,
  ): boolean {
    if (this.waiting >= this.max) return false;
    this.waiting += 1;
    res.off('close', gateLeave);
    gateLeave();
    res.once('close', this.release);
    return true;
  }

  private readonly release = (): void => {
    this.waiting -= 1;
  };
}
