import { HoldfastError } from '@holdfast/core';
import { generateToken, hashToken, writeAuditEvent } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

/** How long a user has to finish a hosted verification. */
export const transactionTtlMs = 10 * 60 * 1000;

/**
 * The relying application sends its user to Holdfast's hosted page (`/verify/<token>`) instead of
 * building its own. The callback must be one of the application's registered URLs, exactly: an
 * open redirect would hand the signed result to whoever wrote the link. Only the token's hash is stored.
 */
export async function createVerificationTransaction(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  externalUserId: string;
  callbackUrl: string;
  state: string | null;
}): Promise<{ transactionId: string; url: string; expiresAt: Date }> {
  const { deps, application } = options;
  const token = generateToken();
  const expiresAt = new Date(deps.clock().getTime() + transactionTtlMs);
  const transactionId = await deps.db.prisma.$transaction(async (tx) => {
    const app = await tx.application.findUniqueOrThrow({ where: { id: application.id }, select: { callbackUrls: true } });
    if (!app.callbackUrls.includes(options.callbackUrl)) {
      throw new HoldfastError('CALLBACK_NOT_REGISTERED', "callbackUrl is not one of the application's registered callback URLs");
    }
    const user = await tx.user.findUnique({
      where: { applicationId_externalId: { applicationId: application.id, externalId: options.externalUserId } },
      select: { id: true },
    });
    if (user === null) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
    const created = await tx.verificationTransaction.create({
      data: { applicationId: application.id, userId: user.id, tokenHash: hashToken(token), callbackUrl: options.callbackUrl, state: options.state, expiresAt },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      type: 'hosted.transaction_created',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: application.id,
      userId: user.id,
      detail: { transactionId: created.id, callbackUrl: options.callbackUrl, expiresAt: expiresAt.toISOString() },
    });
    return created.id;
  });
  return { transactionId, url: `${deps.publicUrl.replace(/\/$/, '')}/verify/${token}`, expiresAt };
}
