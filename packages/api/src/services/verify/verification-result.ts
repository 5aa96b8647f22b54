import type { VerifyRejectReason } from '@holdfast/core';

export type VerifiedFactorKind = 'totp' | 'recovery_codes' | 'webauthn';

/** What every verification returns, and what `status` returns later for the same attempt id. */
export interface VerificationResult {
  attemptId: string;
  outcome: 'accepted' | 'rejected';
  reason: VerifyRejectReason | null;
  factorId: string | null;
  /** When the outcome was recorded (ISO 8601). */
  decidedAt: string;
  /** Which gateway and region decided it: useful when following a request across failover. */
  gatewayId: string;
  region: string;
}

export function toVerificationResult(row: {
  attemptId: string;
  outcome: 'accepted' | 'rejected';
  reason: string | null;
  factorId: string | null;
  createdAt: Date;
  gatewayId: string;
  region: string;
}): VerificationResult {
  return {
    attemptId: row.attemptId,
    outcome: row.outcome,
    reason: row.reason as VerifyRejectReason | null,
    factorId: row.factorId,
    decidedAt: row.createdAt.toISOString(),
    gatewayId: row.gatewayId,
    region: row.region,
  };
}
