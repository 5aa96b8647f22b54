import { writeAuditEvent } from '@holdfast/db';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';

/**
 * Logout: the session (and its link) ends now, with its step-up. Idempotent: ending an ended
 * session changes nothing and writes no second audit row.
 */
export async function endEnrollmentSession(options: { deps: ServiceDeps; enrollment: EnrollmentPrincipal }): Promise<{ isEnded: true }> {
  const { deps, enrollment } = options;
  const now = deps.clock();
  await deps.db.prisma.$transaction(async (tx) => {
    const { count } = await tx.enrollmentLink.updateMany({
      where: { id: enrollment.linkId, endedAt: null },
      data: { endedAt: now, endedReason: 'logged_out', steppedUpAt: null },
    });
    if (count === 0) return;
    await writeAuditEvent(tx, {
      type: 'enrollment.session_ended',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      detail: { linkId: enrollment.linkId, reason: 'logged_out' },
    });
  });
  return { isEnded: true };
}
