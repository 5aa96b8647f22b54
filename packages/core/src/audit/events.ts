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

/** Why a verification was rejected, recorded on `verify.rejected` events (the words: @holdfast/validators). */
export type { VerifyRejectReason } from '@holdfast/validators';
