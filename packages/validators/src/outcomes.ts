import { z } from 'zod';
import { verifyRejectReason } from './reasons';

export const verificationOutcomes = ['accepted', 'rejected'] as const;
export const verificationOutcome = z.enum(verificationOutcomes);
export type VerificationOutcome = z.infer<typeof verificationOutcome>;

/** What every verification returns, and what `status` returns later for the same attempt id. */
export const verificationResult = z.strictObject({
  attemptId: z.string(),
  outcome: verificationOutcome,
  /** Null exactly when accepted. */
  reason: verifyRejectReason.nullable(),
  factorId: z.string().nullable(),
  /** When the outcome was recorded (ISO 8601). */
  decidedAt: z.string(),
  /** Which gateway and region decided it: useful when following a request across failover. */
  gatewayId: z.string(),
  region: z.string(),
  /**
   * True when this is the recorded outcome of an earlier call with the same attempt id (a retry,
   * `status`), not a decision made now. Only returned for the same request, within 10 minutes,
   * while the factor is unchanged.
   */
  replayed: z.boolean(),
});
export type VerificationResult = z.infer<typeof verificationResult>;

/**
 * A verification on the hosted page: accepted leads the browser to the application's callback
 * (with the signed result); rejected stays on the page with the reason.
 */
export const hostedOutcome = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('accepted'), redirectUrl: z.string() }),
  z.strictObject({ outcome: z.literal('rejected'), reason: verifyRejectReason.nullable() }),
]);
export type HostedOutcome = z.infer<typeof hostedOutcome>;
