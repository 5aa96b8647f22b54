import { HoldfastError } from '@holdfast/core';
import { hashToken } from '@holdfast/db';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';

export const enrollmentSessionPrefix = 'hfs_';

/**
 * Resolves `Bearer hfs_<session>` (from a redeemed enrollment link) to its user, while unexpired
 * and not ended (logged out, or superseded by a newer link for the same user).
 */
export async function authenticateEnrollmentSession(options: { deps: ServiceDeps; bearer: string | null }): Promise<EnrollmentPrincipal> {
  const { deps, bearer } = options;
  if (bearer?.startsWith(enrollmentSessionPrefix) !== true) {
    throw new HoldfastError('ENROLLMENT_SESSION_INVALID', 'an enrollment session is required (redeem an enrollment link first)');
  }
  // Lookup by SHA-256 of a 256-bit random token: the index probe reveals nothing usable to timing.
  const link = await deps.db.prisma.enrollmentLink.findUnique({
    where: { sessionHash: hashToken(bearer.slice(enrollmentSessionPrefix.length)) },
    select: { id: true, applicationId: true, userId: true, sessionExpiresAt: true, endedAt: true, user: { select: { externalId: true } } },
  });
  if (link?.sessionExpiresAt == null || link.sessionExpiresAt <= deps.clock()) {
    throw new HoldfastError('ENROLLMENT_SESSION_INVALID', 'the enrollment session is unknown or has expired; open a new enrollment link');
  }
  if (link.endedAt !== null) {
    throw new HoldfastError('ENROLLMENT_SESSION_INVALID', 'the enrollment session has ended (signed out, or a newer enrollment link was issued)');
  }
  return { linkId: link.id, applicationId: link.applicationId, userId: link.userId, externalUserId: link.user.externalId };
}
