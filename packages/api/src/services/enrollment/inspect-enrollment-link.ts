import { hashToken } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

export type EnrollmentLinkState = 'valid' | 'invalid' | 'expired' | 'used' | 'superseded';

/**
 * What opening a link would meet, WITHOUT redeeming it: the portal's GET page shows either a
 * "Continue" button or the right message. Read-only and unaudited on purpose — a mail scanner or
 * link preview fetching the URL must leave no trace and change nothing (the redemption is a POST).
 */
export async function inspectEnrollmentLink(options: { deps: ServiceDeps; token: string }): Promise<{ state: EnrollmentLinkState }> {
  const link = await options.deps.db.prisma.enrollmentLink.findUnique({
    where: { tokenHash: hashToken(options.token) },
    select: { expiresAt: true, redeemedAt: true, endedAt: true },
  });
  if (link === null) return { state: 'invalid' };
  // Same order as redeemEnrollmentLink, so the page and the POST never disagree.
  if (link.endedAt !== null && link.redeemedAt === null) return { state: 'superseded' };
  if (link.redeemedAt !== null) return { state: 'used' };
  if (link.expiresAt <= options.deps.clock()) return { state: 'expired' };
  return { state: 'valid' };
}
