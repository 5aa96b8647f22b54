import { generateToken, hashToken, writeAuditEvent, type PrismaTx } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

/** Links last 15 minutes unless the application asks otherwise (schemas.ts caps the ask at 60). */
export const defaultLinkTtlSeconds = 15 * 60;
export const maxLinkTtlSeconds = 60 * 60;

/**
 * A one-time link the relying application hands to its user to enroll factors. The user record is
 * created on first use of the application's user id. Only the token's hash is stored.
 *
 * A new link ends every older one of the same user, in the same transaction: unredeemed links stop
 * redeeming and live sessions stop working (ENROLLMENT_LINK_SUPERSEDED / ENROLLMENT_SESSION_INVALID).
 * So at most one link or session per user is ever alive, and a leaked older link — in a mail
 * archive, a scanner's log, an attacker's tab — dies as soon as the application issues a new one.
 */
export async function createEnrollmentLink(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  externalUserId: string;
  ttlSeconds: number;
  /** Runs in the same transaction after the link is made (the admin console's `admin.action` audit, invariant 7). */
  inTransaction?: (tx: PrismaTx, change: { userId: string; linkId: string; expiresAt: Date; supersededLinkIds: string[] }) => Promise<void>;
}): Promise<{ token: string; url: string; expiresAt: Date }> {
  const { deps, application } = options;
  const token = generateToken();
  const now = deps.clock();
  const expiresAt = new Date(now.getTime() + Math.min(options.ttlSeconds, maxLinkTtlSeconds) * 1000);
  await deps.db.prisma.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { applicationId_externalId: { applicationId: application.id, externalId: options.externalUserId } },
      create: { applicationId: application.id, externalId: options.externalUserId },
      update: {},
      select: { id: true },
    });
    // Serializes link creation per user: two concurrent calls cannot each miss the other's link.
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${user.id}::uuid FOR UPDATE`;
    const superseded = await tx.$queryRaw<{ id: string; redeemed_at: Date | null }[]>`
      UPDATE enrollment_links SET ended_at = ${now}, ended_reason = 'superseded'
       WHERE user_id = ${user.id}::uuid AND ended_at IS NULL
         AND ((redeemed_at IS NULL AND expires_at > ${now}) OR session_expires_at > ${now})
      RETURNING id, redeemed_at`;
    const link = await tx.enrollmentLink.create({
      data: { applicationId: application.id, userId: user.id, tokenHash: hashToken(token), expiresAt },
      select: { id: true },
    });
    const audit = { gatewayId: deps.gateway.id, region: deps.gateway.region, applicationId: application.id, userId: user.id };
    if (superseded.length > 0) {
      await writeAuditEvent(tx, {
        ...audit,
        type: 'enrollment.link_superseded',
        detail: {
          byLinkId: link.id,
          linkIds: superseded.map((row) => row.id),
          endedSessions: superseded.filter((row) => row.redeemed_at !== null).length,
        },
      });
    }
    await writeAuditEvent(tx, { ...audit, type: 'enrollment.link_created', detail: { linkId: link.id, expiresAt: expiresAt.toISOString() } });
    await options.inTransaction?.(tx, { userId: user.id, linkId: link.id, expiresAt, supersededLinkIds: superseded.map((row) => row.id) });
  });
  return { token, url: `${deps.publicUrl.replace(/\/$/, '')}/enroll/${token}`, expiresAt };
}
