/**
 * The closed set of audit event types. A const tuple (not an enum) so the database layer can build
 * a CHECK constraint / zod enum from the same list.
 */
export const auditEventTypes = [
  'apikey.rejected',
  'enrollment.link_created',
  'enrollment.link_redeemed',
  'enrollment.link_rejected',
  'enrollment.link_superseded',
  'enrollment.stepped_up',
  'enrollment.session_ended',
  'factor.enroll_begun',
  'factor.enrolled',
  'factor.enroll_rejected',
  'recovery_codes.generated',
  'verify.accepted',
  'verify.rejected',
  /** A retry answered with the recorded outcome of its attempt id (same request, within 10 minutes). */
  'verify.replayed',
  /** A relying application ended a factor's or an account's lock (`factors.unlock`; detail: before/after). */
  'factor.unlocked',
  'account.unlocked',
  /** A hosted transaction reached its cap of failed attempts: it refuses every further attempt. */
  'hosted.attempts_exceeded',
  'factor.locked',
  'keys.rotated',
  'request.rejected',
  'factor.revoked',
  'factor.renamed',
  'webauthn.registered',
  'webauthn.clone_suspected',
  /** A factor refused until revoked (a WebAuthn credential whose counter went back). */
  'factor.suspended',
  /** Too many consecutive failures across all of a user's factors (account-wide throttle). */
  'account.locked',
  /** A WebAuthn assertion whose backup-eligible flag differs from the one registered. */
  'webauthn.backup_eligibility_changed',
  /** Hosted-result signing keys: a new one published (signs later), one that started signing. */
  'hosted.signing_key_published',
  'hosted.signing_key_activated',
  /** A relying application set, rotated or cleared its webhook endpoint (detail: host only). */
  'webhook.configured',
  'webhook.removed',
  'hosted.transaction_created',
  'hosted.transaction_completed',
  'hosted.result_redeemed',
  'hosted.result_rejected',
  // Push approval (issue 11). A paired device is also a `factor.enrolled` (the webhook hears of it).
  'push.pairing_created',
  'push.device_paired',
  'push.begun',
  /** Fatigue limits: detail.reason push_pending | push_suspended | push_rate_limited. */
  'push.begin_refused',
  /** Written after commit by the gateway that sent the Web Push: detail counts delivered / failed. */
  'push.sent',
  'push.approved',
  /** detail.reason: denied_by_user | wrong_number. */
  'push.denied',
  'push.expired',
  /** "Report fraud": denied, push suspended for the user, the application's webhook fires. */
  'push.fraud_reported',
  /** A device request that changed nothing (bad signature, not pending, clock skew …): detail.reason. */
  'push.answer_refused',
  /** The push service answered 404/410: the subscription is dead and was removed. */
  'push.subscription_gone',
  'push.subscription_updated',
  /**
   * Issue 12: the database showed a sealed audit history that does not extend the checkpoint this
   * gateway verified before (smaller, forked, re-signed): a restored copy or a rewritten row.
   */
  'audit.history_rewritten',
  /** A gateway worker began serving / stopped (detail: worker, pid). Spooled like any event when no database takes it. */
  'gateway.started',
  'gateway.stopped',
  /** Requests a worker refused before its router ran in the last 10 s (detail: overloaded, rateLimited): one event per window, never one per request. */
  'gateway.load_shed',
  // Admin console (issue 13). Every admin action is audited with who (detail.adminId, email, role), what, before and after.
  'admin.created',
  'admin.signed_in',
  /** detail.reason: unknown_email | wrong_password | disabled | locked | wrong_factor — the caller only ever sees ADMIN_SIGN_IN_FAILED. */
  'admin.sign_in_failed',
  'admin.signed_out',
  'admin.stepped_up',
  /** An admin changed something (detail: adminId, action, target, before, after). */
  'admin.action',
  /**
   * An admin issued a one-time bypass code (detail: adminId, expiresAt, replacedFactorIds; never the
   * code). Also the webhook event `bypass.issued`, so the application can tell its user.
   */
  'bypass.issued',
] as const;

export type AuditEventType = (typeof auditEventTypes)[number];

/** Why a verification was rejected, recorded on `verify.rejected` events (the words: @holdfast/validators). */
export type { VerifyRejectReason } from '@holdfast/validators';
