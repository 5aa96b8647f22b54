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
// - while it sheds with a busy event loop (CPU overload, not a database that does not answer),
//   fewer requests run in the router (InFlightLimit, below).
// Both, alternating with the gate before them (connections opened before the surge): admitted p99
// 47.4 and 49.9 ms against 129.2 and 153.5 ms, as many admitted. Fixed lower limits did as well
// (4 in flight with 10-ms waits: 46 ms; 2 with 5 ms: 30 ms; one run each, the load generator at
// raised priority) but would refuse the logins that wait out a failover in their slots, which
// cost no CPU, and the bursts of a worker that is not overloaded.

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
  /** While the gate sheds with its event loop busy, the in-flight limit (InFlightLimit); `maxInFlight` or more: never lowered. */
  minInFlight: number;
}

/** How long after its last refusal the gate counts as shedding (short waits). */
export const shedMemoryMs = 1_000;

export const defaultAdmissionLimits = (poolMax: number): AdmissionLimits => ({
  maxInFlight: poolMax * 2,
  maxQueue: 256,
  maxWaitMs: 40,
  shedWaitMs: 5,
  minInFlight: Math.max(2, Math.floor(poolMax / 2)),
});

/** Event-loop utilization (the share of an interval it was not idle) at which a shedding gate is CPU-bound. */
export const busyUtilization = 0.5;

/**
 * The gate's in-flight limit under CPU pressure: down to `min` at once when the gate refuses a
 * request while this process's event loop is busy, back up one slot per interval in which nothing
 * was refused.
 *
 * Both conditions, because each alone is also true when fewer slots would be wrong:
 * - refusing while the loop is mostly idle is a database that does not answer (a failover takes
 *   seconds): the requests in the router cost no CPU, and every slot is one more login that rides
 *   the failover out;
 * - a busy loop that refuses nothing is a worker at work (utilization 0.84–0.92 at the bench's c=8
 *   closed loop, no refusals): its bursts must find every configured slot.
 * Refusing with a busy loop is CPU overload: each extra request in the router only stretches the
 * others (2× capacity on 2 cores, one run each: with the shedding wait, 16 in flight per worker
 * answered admitted requests at p99 98–112 ms; fixed limits of 4 and 2, with 10- and 5-ms waits,
 * at 46 and 30 ms, admitting as many or more; utilization during a surge 0.77–0.97).
 */
export class InFlightLimit {
  private current: number;
  private hasRefusedSinceTick = false;
  private utilization = 0;

  constructor(
    private readonly settings: {
      /** The configured limit. */
      max: number;
      /** The limit under CPU pressure. */
      min: number;
    },
  ) {
    this.current = settings.max;
  }

  get value(): number {
    return this.current;
  }

  /** The gate refused a request. */
  onRefusal(): void {
    this.hasRefusedSinceTick = true;
    if (this.utilization >= busyUtilization) this.current = Math.min(this.current, this.settings.min, this.settings.max);
  }

  /** One interval has passed, in which the event loop was busy for `utilization` (0…1) of the time. */
  tick(utilization: number): void {
    this.utilization = utilization;
    if (!this.hasRefusedSinceTick) this.current = Math.min(this.settings.max, this.current + 1);
    this.hasRefusedSinceTick = false;
  }
}

/** Ticks `limit` every `intervalMs` with this process's event-loop utilization over it. Returns the stop function. */
export function tickInFlightLimit(limit: InFlightLimit, intervalMs: number): () => void {
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    limit.tick(performance.eventLoopUtilization(now, last).utilization);
    last = now;
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
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
    private readonly inFlightLimit?: Pick<InFlightLimit, 'value' | 'onRefusal'>,
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
    const waitMs = this.isSheddingAt(now) ? Math.min(this.limits.shedWaitMs, this.limits.maxWaitMs) : this.limits.maxWaitMs;
    this.waiting.push({ req, res, extra, deadline: now + waitMs });
    this.armTimer();
  }

  /** Whether the gate refused a request within the last `shedMemoryMs` (new waiters get `shedWaitMs`). */
  get isShedding(): boolean {
    return this.isSheddingAt(this.now());
  }

  private isSheddingAt(now: number): boolean {
    return now - this.lastRefusalAt < shedMemoryMs;
  }

  private refuse(req: TReq, res: TRes, now: number): void {
    this.lastRefusalAt = now;
    this.inFlightLimit?.onRefusal();
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
