import { HoldfastError, stepUpFreshnessMs } from '@holdfast/core';
import { writeAuditEvent } from '@holdfast/db';
import type { VerifyRejectReason } from '@holdfast/validators';
import { randomUUID } from 'node:crypto';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { verifyFactorForUser, type PresentedCredential } from '../verify/verify-factor-for-user';

export type StepUpOutcome = { outcome: 'accepted'; factorId: string; validUntil: Date } | { outcome: 'rejected'; reason: VerifyRejectReason | null };

/**
 * The enrollment session proves it is the user: one of the user's own factors is verified through
 * the one write path (`verifyFactorForUser`: per-factor and account-wide lockout, single use,
 * attempt record and audit exactly as for a login), and only an acceptance is recorded on the
 * session as `stepped_up_at`. The attempt id is made here, never taken from the client, so a
 * client cannot aim it at someone else's recorded outcome; a replayed outcome is not a fresh proof.
 */
export async function stepUpEnrollmentSession(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  credential: PresentedCredential;
  signal?: AbortSignal;
}): Promise<StepUpOutcome> {
  const { deps, enrollment } = options;
  const result = await verifyFactorForUser({
    deps,
    applicationId: enrollment.applicationId,
    externalUserId: enrollment.externalUserId,
    credential: options.credential,
    attemptId: `stepup-${randomUUID()}`,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (result.outcome !== 'accepted' || result.replayed || result.factorId === null) {
    return { outcome: 'rejected', reason: result.outcome === 'accepted' ? 'replay' : result.reason };
  }
  const factorId = result.factorId;
  const now = deps.clock();
  await deps.db.prisma.$transaction(async (tx) => {
    // Only a live session records it: one ended (logout, newer link) while the code was checked stays ended.
    const { count } = await tx.enrollmentLink.updateMany({
      where: { id: enrollment.linkId, endedAt: null, sessionExpiresAt: { gt: now } },
      data: { steppedUpAt: now, steppedUpFactorId: factorId },
    });
    if (count !== 1) throw new HoldfastError('ENROLLMENT_SESSION_INVALID', 'the enrollment session has ended; open a new enrollment link');
    await writeAuditEvent(tx, {
      type: 'enrollment.stepped_up',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      factorId,
      attemptId: result.attemptId,
      detail: { linkId: enrollment.linkId, kind: options.credential.kind },
    });
  });
  return { outcome: 'accepted', factorId, validUntil: new Date(now.getTime() + stepUpFreshnessMs) };
}
