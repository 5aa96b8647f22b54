import { HoldfastError } from '../errors';
import { isNumberMatch } from './push-number';

/**
 * A push transaction's life: `pending → approved | denied | expired`, and nothing else, ever.
 * This module decides; the store applies a decision with ONE compare-and-set
 * (`UPDATE push_transactions SET status = … WHERE id = … AND status = 'pending' AND <expiry guard>`)
 * in the same transaction as its audit row (invariant 7). The compare-and-set, not this function,
 * is what makes an answer single use across gateways (invariant 5): two gateways may both decide
 * "approved" from the same pending row, and only one of their updates matches.
 */

export const pushTransactionStatuses = ['pending', 'approved', 'denied', 'expired'] as const;
export type PushTransactionStatus = (typeof pushTransactionStatuses)[number];

/** The only status a transition may start from: the `status = 'pending'` of the compare-and-set. */
export const pushTransitionFromStatus = 'pending' satisfies PushTransactionStatus;

/** "Approve" (with the typed number), "This wasn't me", "Report fraud". */
export const pushDecisions = ['approve', 'deny', 'fraud'] as const;
export type PushDecision = (typeof pushDecisions)[number];

/** Duo's push times out at 60 s; long enough to find the phone, short enough to be "this login". */
export const defaultPushTransactionTtlMs = 60_000;
export const minPushTransactionTtlMs = 15_000;
/** Beyond a few minutes the number on the login screen no longer belongs to a login in progress. */
export const maxPushTransactionTtlMs = 5 * 60_000;

/**
 * How far the device's signed clock may be from the gateway's. Phones keep network time; the bound
 * makes a signed answer useless once it is old, even for a transaction that somehow stayed pending.
 */
export const defaultPushClockSkewMs = 30_000;

/** When a transaction begun now expires; the TTL is per-application configuration, so out of range is a bad request. */
export function pushTransactionExpiresAt({ now, ttlMs = defaultPushTransactionTtlMs }: { now: Date; ttlMs?: number }): Date {
  if (!Number.isInteger(ttlMs) || ttlMs < minPushTransactionTtlMs || ttlMs > maxPushTransactionTtlMs) {
    throw new HoldfastError('BAD_REQUEST', `A push transaction lives ${minPushTransactionTtlMs / 1000} to ${maxPushTransactionTtlMs / 1000} seconds`);
  }
  return new Date(now.getTime() + ttlMs);
}

export interface PushTransactionState {
  id: string;
  status: PushTransactionStatus;
  expiresAt: Date;
  /** The number shown on the login screen. */
  number: string;
  userId: string;
  /** The user's paired devices (active, not removed): the only ones that may answer. */
  deviceIds: readonly string[];
}

/** What a device sent. Its signature has already been verified (push-signature.ts) over exactly these fields. */
export interface PushAnswer {
  transactionId: string;
  typedNumber: string;
  decision: PushDecision;
  /** The device's clock when it signed (part of the signed payload). */
  deviceTime: Date;
  deviceId: string;
}

export type PushAnswerReason =
  | 'approved'
  | 'denied_by_user'
  | 'fraud_reported'
  | 'wrong_number'
  | 'expired'
  | 'not_pending'
  | 'unknown_device'
  | 'device_clock_skew'
  | 'unknown_transaction'
  | 'malformed_answer';

export type PushAnswerDecision =
  /** Apply with the compare-and-set; `shouldSuspendPush` asks the caller to suspend the user's push (push-fatigue.ts). */
  | { isTransition: true; status: 'approved'; reason: 'approved'; shouldSuspendPush: false }
  | { isTransition: true; status: 'denied'; reason: 'denied_by_user' | 'wrong_number'; shouldSuspendPush: false }
  | { isTransition: true; status: 'denied'; reason: 'fraud_reported'; shouldSuspendPush: true }
  | { isTransition: true; status: 'expired'; reason: 'expired'; shouldSuspendPush: false }
  /**
   * Change nothing: the answer is not one this transaction may act on. The status is the one the
   * transaction already has. Answered to the device with one generic refusal (privacyIDEA's rule:
   * every failure looks the same), recorded in the audit trail with the reason.
   */
  | {
      isTransition: false;
      status: PushTransactionStatus;
      reason: 'not_pending' | 'unknown_device' | 'device_clock_skew' | 'unknown_transaction' | 'malformed_answer';
      shouldSuspendPush: false;
    };

/**
 * What a (signature-verified) answer does to a transaction. Never throws for anything the device
 * sent; the only throw is for a nonsensical `clockSkewMs`, which is configuration.
 *
 * Order matters and is the security argument:
 * 1. An answer about another transaction, or from a device that is not one of this user's, changes
 *    nothing — otherwise anyone could deny (or expire) someone else's login.
 * 2. A decided transaction stays decided: `not_pending`, before expiry is even looked at.
 * 3. Expiry is the gateway's clock, never the device's: a late "approve" expires the transaction
 *    (0 expired transactions approved).
 * 4. A device clock far from ours refuses the answer without a transition: it is stale or forged
 *    in time, and the user can still answer again within the transaction's life.
 * 5. Deny and fraud need no number — the person who did not start this login cannot know it.
 * 6. Approve needs the typed number; a wrong one DENIES, so a bot holding the device key gets one
 *    guess per push (1/90 or 1/900), not 90.
 */
export function decidePushAnswer({
  transaction,
  answer,
  now,
  clockSkewMs = defaultPushClockSkewMs,
}: {
  transaction: PushTransactionState;
  answer: PushAnswer;
  now: Date;
  clockSkewMs?: number;
}): PushAnswerDecision {
  if (!Number.isFinite(clockSkewMs) || clockSkewMs < 0) {
    throw new HoldfastError('INTERNAL', 'Push clock skew must be a non-negative number of milliseconds');
  }
  const refuse = (reason: Extract<PushAnswerDecision, { isTransition: false }>['reason']): PushAnswerDecision => ({
    isTransition: false,
    status: transaction.status,
    reason,
    shouldSuspendPush: false,
  });

  if (answer.transactionId !== transaction.id) return refuse('unknown_transaction');
  if (!transaction.deviceIds.includes(answer.deviceId)) return refuse('unknown_device');
  if (transaction.status !== 'pending') return refuse('not_pending');
  if (!isPushTransitionAllowed({ status: transaction.status, expiresAt: transaction.expiresAt, to: 'approved', at: now })) {
    return { isTransition: true, status: 'expired', reason: 'expired', shouldSuspendPush: false };
  }
  const deviceMs = answer.deviceTime instanceof Date ? answer.deviceTime.getTime() : Number.NaN;
  if (!Number.isFinite(deviceMs) || Math.abs(deviceMs - now.getTime()) > clockSkewMs) return refuse('device_clock_skew');

  // The union is enforced by the API schema; a value outside it (a hand-made request) is refused, not thrown.
  const decision: unknown = answer.decision;
  switch (decision) {
    case 'deny':
      return { isTransition: true, status: 'denied', reason: 'denied_by_user', shouldSuspendPush: false };
    case 'fraud':
      return { isTransition: true, status: 'denied', reason: 'fraud_reported', shouldSuspendPush: true };
    case 'approve':
      return isNumberMatch(answer.typedNumber, transaction.number)
        ? { isTransition: true, status: 'approved', reason: 'approved', shouldSuspendPush: false }
        : { isTransition: true, status: 'denied', reason: 'wrong_number', shouldSuspendPush: false };
    default:
      return refuse('malformed_answer');
  }
}

/**
 * The fact the compare-and-set must check, whatever the store: a transition starts from `pending`,
 * and the transaction's expiry — read by the STORE's clock at the moment of the write, not the
 * deciding gateway's — separates the two kinds of transition:
 * - to `approved` or `denied`: only while `at < expiresAt` (an approval decided at 59.9 s and
 *   written at 60.1 s must not land);
 * - to `expired`: only once `at >= expiresAt` (a sweeper or a status read must not expire a live one).
 * In SQL: `WHERE id = $1 AND status = 'pending' AND (expires_at > now()) = ($2 <> 'expired')`.
 */
export function isPushTransitionAllowed({
  status,
  expiresAt,
  to,
  at,
}: {
  status: PushTransactionStatus;
  expiresAt: Date;
  to: Exclude<PushTransactionStatus, 'pending'>;
  at: Date;
}): boolean {
  if (status !== pushTransitionFromStatus) return false;
  const isLive = at.getTime() < expiresAt.getTime();
  return to === 'expired' ? !isLive : isLive;
}

/**
 * The status to report (pushStatus, the device's pending list): a pending row past its expiry IS
 * expired, whether or not anything has written that yet; the write itself is the sweeper's or the
 * next answer's compare-and-set.
 */
export function effectivePushStatus({ status, expiresAt, now }: { status: PushTransactionStatus; expiresAt: Date; now: Date }): PushTransactionStatus {
  return status === 'pending' && now.getTime() >= expiresAt.getTime() ? 'expired' : status;
}
