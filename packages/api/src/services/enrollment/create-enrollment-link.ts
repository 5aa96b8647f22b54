import { generateToken, hashToken, writeAuditEvent } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

/**
 * A one-time link the relying application hands to its user to enroll factors. The user record is
 * created on first use of the application's user id. Only the token's hash is stored.
 */
export async function createEnrollmentLink(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  externalUserId: string;
  ttlSeconds: number;
}): Promise<{ token: string; url: string; expiresAt: Date }> {
  const { deps, application } = options;
  const token = generateToken();
  const expiresAt = new Date(deps.clock().getTime() + options.ttlSeconds * 1000);
  await deps.db.prisma.$transaction(async (tx) => {
    const user = await tx.user.upsert({
      where: { applicationId_externalId: { applicationId: application.id, externalId: options.externalUserId } },
      create: { applicationId: application.id, externalId: options.externalUserId },
      update: {},
      select: { id: true },
    });
    const link = await tx.enrollmentLink.create({
      data: { applicationId: application.id, userId: user.id, tokenHash: hashToken(token), expiresAt },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      type: 'enrollment.link_created',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: application.id,
      userId: user.id,
      detail: { linkId: link.id, expiresAt: expiresAt.toISOString() },
    });
  });
  return { token, url: `${deps.publicUrl.replace(/\/$/, '')}/enroll/${token}`, expiresAt };
}
