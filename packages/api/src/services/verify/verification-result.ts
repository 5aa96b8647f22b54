import { verifyRejectReason, type FactorKind, type VerificationOutcome, type VerificationResult } from '@holdfast/validators';

// The shapes are the system's words (@holdfast/validators); re-exported under the names the api used.
export type { VerificationResult };
/** A kind of factor the write path verifies: every kind there is. */
export type VerifiedFactorKind = FactorKind;

export function toVerificationResult(row: {
  attemptId: string;
  outcome: VerificationOutcome;
  reason: string | null;
  factorId: string | null;
  createdAt: Date;
  gatewayId: string;
  region: string;
  /** True for a recorded outcome handed out again (retry, status), false for a decision made now. */
  replayed: boolean;
}): VerificationResult {
  return {
    attemptId: row.attemptId,
    outcome: row.outcome,
    // The column holds only reasons this code wrote; parsing (not casting) keeps a hand-edited row from leaking out unnamed.
    reason: row.reason === null ? null : verifyRejectReason.parse(row.reason),
    factorId: row.factorId,
    decidedAt: row.createdAt.toISOString(),
    gatewayId: row.gatewayId,
    region: row.region,
    replayed: row.replayed,
  };
}

/** How long a recorded outcome is handed out again for its attempt id (a retry, `status`). */
export const attemptReplayWindowMs = 10 * 60 * 1000;
