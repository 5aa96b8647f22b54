import { HoldfastError } from '@holdfast/core';
import { generateToken, hashToken, writeAuditEvent } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';
import { writeStandaloneAuditEvent } from '../audit/write-standalone-audit-event';
import { enrollmentSessionPrefix } from './authenticate-enrollment-session';

const sessionSeconds = 30 * 60;

/**
 * Exchanges a one-time enrollment link for a 30-minute enrollment session. The exchange is a
 * compare-and-set on `redeemed_at IS NULL AND ended_at IS NULL`, so two tabs (or two gateways)
 * cannot both redeem it, and a link superseded meanwhile by a newer one cannot either. The portal
 * calls this only from a POST (its "Continue" button), never when the link is merely fetched.
 */
export async function redeemEnrollmentLink(options: {
  deps: ServiceDeps;
  token: string;
}): Promise<{ sessionToken: string; expiresAt: Date; externalUserId: string }> {
  const { deps } = options;
  const now = deps.clock();
  const link = await deps.db.prisma.enrollmentLink.findUnique({
    where: { tokenHash: hashToken(options.token) },
    select: { id: true, applicationId: true, userId: true, expiresAt: true, redeemedAt: true, endedAt: true, user: { select: { externalId: true } } },
  });
  const reject = async (error: HoldfastError): Promise<never> => {
    // An unknown token names no link, user or application: auditing it would let anyone write a
    // row per request (issue 8, hole 4). Tokens are 256-bit, so guessing is not an attack worth a
    // trail; the gateway's per-address bucket bounds the traffic. Known links are audited.
    if (link === null) throw error;
    await writeStandaloneAuditEvent({
      deps,
      db: deps.db.prisma,
      event: {
        type: 'enrollment.link_rejected',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: link.applicationId,
        userId: link.userId,
        detail: { code: error.code, linkId: link.id },
      },
    });
    throw error;
  };
  if (link === null) return reject(new HoldfastError('ENROLLMENT_LINK_INVALID', 'this enrollment link is not valid'));
  // Superseded before "used": a newer link exists, so that is the one to open.
  if (link.endedAt !== null && link.redeemedAt === null) {
    return reject(new HoldfastError('ENROLLMENT_LINK_SUPERSEDED', 'a newer enrollment link was issued for you; open the newest one'));
  }
  if (link.redeemedAt !== null) return reject(new HoldfastError('ENROLLMENT_LINK_USED', 'this enrollment link has already been used; ask for a new one'));
  if (link.expiresAt <= now) return reject(new HoldfastError('ENROLLMENT_LINK_EXPIRED', 'this enrollment link has expired; ask for a new one'));

  const session = generateToken();
  const sessionExpiresAt = new Date(now.getTime() + sessionSeconds * 1000);
  const redeemed = await deps.db.prisma.$transaction(async (tx) => {
    const { count } = await tx.enrollmentLink.updateMany({
      where: { id: link.id, redeemedAt: null, endedAt: null, expiresAt: { gt: now } },
      data: { redeemedAt: now, sessionHash: hashToken(session), sessionExpiresAt },
    });
    if (count === 1) {
      await writeAuditEvent(tx, {
        type: 'enrollment.link_redeemed',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: link.applicationId,
        userId: link.userId,
        detail: { linkId: link.id },
      });
    }
    return count === 1;
  });
  if (!redeemed) return reject(new HoldfastError('ENROLLMENT_LINK_USED', 'this enrollment link has already been used; ask for a new one'));
  return { sessionToken: `${enrollmentSessionPrefix}${session}`, expiresAt: sessionExpiresAt, externalUserId: link.user.externalId };
}
