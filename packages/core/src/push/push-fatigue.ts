import { HoldfastError } from '../errors';

/**
 * Push fatigue ("MFA bombing"): an attacker with the password sends push after push until a tired
 * user taps Approve. Number matching already defeats the blind tap; these limits stop the flood
 * itself. They must hold across every gateway, so the store counts them in Postgres under the
 * user's row lock (the same serialisation as lockout, invariant 4) and this module only decides.
 */

export interface PushFatiguePolicy {
  /** At most this many pushes begun per user within `windowMs` (PingID-style window; Duo limits similarly). */
  maxPerWindow: number;
  windowMs: number;
  /** Set by a fraud report (Duo mutes push for 20 minutes); null when push is not suspended. */
  suspendedUntil: Date | null;
}

/** The default: 3 pushes per 5 minutes per user, configurable per application. */
export const defaultPushFatigueLimits = { maxPerWindow: 3, windowMs: 5 * 60_000 } as const;
/** Duo's mute after "Report fraud". */
export const defaultPushFraudSuspensionMs = 20 * 60_000;

const maxWindowMs = 24 * 60 * 60_000;
const maxPerWindowCap = 100;

/** Per-application configuration check: bad values are a bad request at configuration time. */
export function validatePushFatigueLimits({ maxPerWindow, windowMs }: { maxPerWindow: number; windowMs: number }): void {
  if (!Number.isInteger(maxPerWindow) || maxPerWindow < 1 || maxPerWindow > maxPerWindowCap) {
    throw new HoldfastError('BAD_REQUEST', `Push fatigue limit needs 1 to ${maxPerWindowCap} pushes per window`);
  }
  if (!Number.isInteger(windowMs) || windowMs < 1000 || windowMs > maxWindowMs) {
    throw new HoldfastError('BAD_REQUEST', 'Push fatigue window must be 1 second to 24 hours');
  }
}

export type PushBeginDecision =
  | { isAllowed: true }
  | {
      isAllowed: false;
      reason: 'push_suspended' | 'push_pending' | 'push_rate_limited';
      /** When a new push could be allowed (all else unchanged): for `Retry-After`. */
      retryAt: Date;
      retryAfterMs: number;
    };

/**
 * May a new push be begun for this user now?
 *
 * - Suspension first: after a fraud report nothing else matters until it ends.
 * - One pending push per user: a second one would put two numbers on the phone and let an
 *   attacker race the real login. A pending row past its expiry does not count — it is expired,
 *   just not yet written as such (the begin's transaction expires it with the compare-and-set).
 * - At most `maxPerWindow` begins in the last `windowMs` (half-open: a begin exactly `windowMs`
 *   ago has left the window). Begins stamped in the future by a gateway with a fast clock count:
 *   a skewed clock must never widen the limit. Every begin counts, whatever its outcome — an
 *   approved push still cost the user an interruption.
 */
export function decidePushBegin({
  pendingForUser,
  recentBeginsForUser,
  policy,
  now,
}: {
  /** The user's pending transaction (by status), if any. */
  pendingForUser: { expiresAt: Date } | null;
  /** When the user's recent pushes began (at least those within the window; older ones are ignored). */
  recentBeginsForUser: readonly Date[];
  policy: PushFatiguePolicy;
  now: Date;
}): PushBeginDecision {
  validatePushFatigueLimits(policy);
  const nowMs = now.getTime();
  const refuse = (reason: 'push_suspended' | 'push_pending' | 'push_rate_limited', retryAtMs: number): PushBeginDecision => ({
    isAllowed: false,
    reason,
    retryAt: new Date(retryAtMs),
    // At least 1 ms: a refusal that says "retry now" invites a busy loop.
    retryAfterMs: Math.max(1, retryAtMs - nowMs),
  });

  if (policy.suspendedUntil !== null && nowMs < policy.suspendedUntil.getTime()) {
    return refuse('push_suspended', policy.suspendedUntil.getTime());
  }
  if (pendingForUser !== null && nowMs < pendingForUser.expiresAt.getTime()) {
    return refuse('push_pending', pendingForUser.expiresAt.getTime());
  }
  const windowStartMs = nowMs - policy.windowMs;
  const inWindow = recentBeginsForUser
    .map((begin) => begin.getTime())
    .filter((ms) => ms > windowStartMs)
    .sort((a, b) => a - b);
  if (inWindow.length >= policy.maxPerWindow) {
    // The window holds one fewer than the limit once the (count − max + 1)-th oldest begin has left it.
    const freeingBeginMs = inWindow[inWindow.length - policy.maxPerWindow] ?? nowMs;
    return refuse('push_rate_limited', freeingBeginMs + policy.windowMs);
  }
  return { isAllowed: true };
}

/**
 * `suspendedUntil` after a fraud report: now + the suspension, but never earlier than a
 * suspension already in force (a second report must not shorten the first).
 */
export function pushSuspendedUntilAfterFraud({
  now,
  currentSuspendedUntil,
  suspensionMs = defaultPushFraudSuspensionMs,
}: {
  now: Date;
  currentSuspendedUntil: Date | null;
  suspensionMs?: number;
}): Date {
  if (!Number.isInteger(suspensionMs) || suspensionMs < 1 || suspensionMs > maxWindowMs) {
    throw new HoldfastError('BAD_REQUEST', 'Push suspension must be 1 ms to 24 hours');
  }
  const untilMs = now.getTime() + suspensionMs;
  return new Date(currentSuspendedUntil === null ? untilMs : Math.max(untilMs, currentSuspendedUntil.getTime()));
}
