/**
 * The closed set of audit event types. A const tuple (not an enum) so the database layer can build
 * a CHECK constraint / zod enum from the same list.
 */
export const auditEventTypes = [
  'apikey.rejected',
  'enrollment.link_created',
  'enrollment.link_redeemed',
  'enrollment.link_rejected',
  'factor.enroll_begun',
  'factor.enrolled',
  'factor.enroll_rejected',
  'recovery_codes.generated',
  'verify.accepted',
  'verify.rejected',
  'factor.locked',
  'keys.rotated',
  'request.rejected',
  'factor.revoked',
  'factor.renamed',
  'webauthn.registered',
  'webauthn.clone_suspected',
  'hosted.transaction_created',
  'hosted.transaction_completed',
  'hosted.result_redeemed',
  'hosted.result_rejected',
] as const;

export type AuditEventType = (typeof auditEventTypes)[number];

/** Why a verification was rejected, recorded on `verify.rejected` events. */
export type VerifyRejectReason =
  | 'invalid_code'
  | 'replay'
  | 'locked'
  | 'factor_not_active'
  /** A WebAuthn assertion that does not verify (signature, origin, RP ID, user verification). */
  | 'verification_failed'
  /** A WebAuthn signature counter that did not increase: a cloned credential or a replayed assertion. */
  | 'clone_suspected';
