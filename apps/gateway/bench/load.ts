// The load generator's loops: lean on purpose, because they share the machine's cores with what
// they measure (issue 9: the old `fetch` client burned a large share of them; the HTTP client is
// http-client.ts). Closed loop (C requests in flight, each worker sends its next when its last is
// answered) for capacity and latency, open loop (fixed arrival rate, latency counted from the
// scheduled send time so queueing is not hidden) for surges.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What one request came to: `ok` counts toward throughput; anything else is an error, named by `kind`. */
export interface Outcome {
  ok: boolean;
  kind: string;
}

export interface RoundResult {
  /** Successful requests per second (errors are not throughput). */
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  count: number;
  outcomes: Record<string, number>;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Closed loop: `workers` requests in flight for `seconds`; worker `w` always sends as `w` (its own rows and users). */
export async function closedLoop(workers: number, seconds: number, once: (worker: number) => Promise<Outcome>): Promise<RoundResult> {
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const outcome = await once(worker).catch((error: unknown) => ({ ok: false, kind: error instanceof Error ? error.name : 'error' }));
        latencies.push(performance.now() - t0);
        outcomes[outcome.kind] = (outcomes[outcome.kind] ?? 0) + 1;
        if (!outcome.ok) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    throughput: (latencies.length - errors) / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    errors,
    count: latencies.length,
    outcomes,
  };
}

/** One answer of the open loop, classified by the caller's `send`. */
export type OpenOutcome =
  { kind: 'admitted'; ok: boolean; detail: string } | { kind: 'refused'; status: number; hasRetryAfter: boolean } | { kind: 'error' | 'timeout' };

export interface OpenLoopResult {
  sent: number;
  admitted: number;
  admittedOk: number;
  admittedP50: number;
  admittedP99: number;
  /** What the admitted answers were (accepted, wrong_code when a code aged past the window while queued, …). */
  admittedByKind: Record<string, number>;
  refused: number;
  refusedWithRetryAfter: number;
  refusedByStatus: Record<string, number>;
  refusedP99: number;
  errors: number;
  timeouts: number;
  /** Answers that were accepted verifications, per bucket of `bucketMs` from the start. */
  okPerBucket: number[];
  /** Admitted answers' p99 (ms) per 5 s of the surge, by when they were due: a start-up transient shows in the first. */
  admittedP99Per5s: number[];
  /**
   * How late this load generator itself was: requests handed to a socket after they were due
   * (p50/p99 ms), and its event loop's delay (p99 ms) — latency the service did not cause, since
   * the generator shares the machine's cores with it.
   */
  sendLateP50: number;
  sendLateP99: number;
  loopDelayP99: number;
}

/**
 * Open loop: `rate` requests per second for `seconds` whether or not earlier ones were answered
 * (a surge does not wait for the service); at most `rate × seconds` requests (bounded). Each
 * request's latency runs from the moment it was due, so a client-side queue shows as latency.
 */
export async function openLoop(options: {
  rate: number;
  seconds: number;
  bucketMs: number;
  send: (index: number) => Promise<OpenOutcome>;
  onTick?: (elapsedMs: number) => void;
}): Promise<OpenLoopResult> {
  const total = Math.floor(options.rate * options.seconds);
  const admittedLatencies: number[] = [];
  const admittedPer5s: number[][] = [];
  const refusedLatencies: number[] = [];
  const refusedByStatus: Record<string, number> = {};
  const admittedByKind: Record<string, number> = {};
  const okPerBucket: number[] = [];
  let admitted = 0;
  let admittedOk = 0;
  let refused = 0;
  let refusedWithRetryAfter = 0;
  let errors = 0;
  let timeouts = 0;
  let sent = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  const sendLate: number[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const fire = (index: number, dueAt: number): Promise<void> =>
    options.send(index).then((outcome) => {
      const now = performance.now();
      const ms = now - dueAt;
      const bucket = Math.floor((now - started) / options.bucketMs);
      switch (outcome.kind) {
        case 'admitted':
          admitted += 1;
          admittedLatencies.push(ms);
          (admittedPer5s[Math.floor((dueAt - started) / 5000)] ??= []).push(ms);
          admittedByKind[outcome.detail] = (admittedByKind[outcome.detail] ?? 0) + 1;
          if (outcome.ok) {
            admittedOk += 1;
            okPerBucket[bucket] = (okPerBucket[bucket] ?? 0) + 1;
          }
          break;
        case 'refused':
          refused += 1;
          refusedLatencies.push(ms);
          if (outcome.hasRetryAfter) refusedWithRetryAfter += 1;
          refusedByStatus[String(outcome.status)] = (refusedByStatus[String(outcome.status)] ?? 0) + 1;
          break;
        case 'timeout':
          timeouts += 1;
          break;
        case 'error':
          errors += 1;
          break;
      }
    });
  // A 5 ms tick sends every request that has come due: a steady rate without one timer per request.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      options.onTick?.(elapsed);
      const due = Math.min(total, Math.floor((elapsed / 1000) * options.rate));
      while (sent < due) {
        const dueAt = started + (sent / options.rate) * 1000;
        sendLate.push(performance.now() - dueAt);
        inFlight.push(fire(sent, dueAt));
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(inFlight);
  loopDelay.disable();
  for (let i = 0; i < okPerBucket.length; i += 1) okPerBucket[i] ??= 0;
  const lateSorted = Float64Array.from(sendLate).sort();
  const admittedSorted = Float64Array.from(admittedLatencies).sort();
  const refusedSorted = Float64Array.from(refusedLatencies).sort();
  return {
    sent,
    admitted,
    admittedOk,
    admittedP50: percentile(admittedSorted, 50),
    admittedP99: percentile(admittedSorted, 99),
    admittedByKind,
    refused,
    refusedWithRetryAfter,
    refusedByStatus,
    refusedP99: percentile(refusedSorted, 99),
    errors,
    timeouts,
    okPerBucket,
    admittedP99Per5s: Array.from({ length: admittedPer5s.length }, (_, i) => {
      const window = admittedPer5s[i];
      return window === undefined ? Number.NaN : percentile(Float64Array.from(window).sort(), 99);
    }),
    sendLateP50: percentile(lateSorted, 50),
    sendLateP99: percentile(lateSorted, 99),
    loopDelayP99: loopDelay.percentile(99) / 1e6,
  };
}

/** Closed loop that also counts successes per bucket (the surge's recovery is read from these). */
export async function sampledClosedLoop(
  workers: number,
  seconds: number,
  bucketMs: number,
  once: (worker: number) => Promise<Outcome>,
): Promise<{ okPerBucket: number[]; result: RoundResult }> {
  const okPerBucket: number[] = [];
  const started = performance.now();
  const result = await closedLoop(workers, seconds, async (worker) => {
    const outcome = await once(worker);
    if (outcome.ok) {
      const bucket = Math.floor((performance.now() - started) / bucketMs);
      okPerBucket[bucket] = (okPerBucket[bucket] ?? 0) + 1;
    }
    return outcome;
  });
  for (let i = 0; i < okPerBucket.length; i += 1) okPerBucket[i] ??= 0;
  return { okPerBucket, result };
}
