import { HoldfastError, isSecureOrLoopbackUrl } from '@holdfast/core';
import type { FactorKind } from '@holdfast/validators';
import { generateToken, hashToken, writeAuditEvent } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

/** How long a user has to finish a hosted verification. */
export const transactionTtlMs = 10 * 60 * 1000;

/**
 * The relying application sends its user to Holdfast's hosted page (`/verify/<token>`) instead of
 * building its own. The callback must be one of the application's registered URLs, exactly (an
 * open redirect would hand the result code to whoever wrote the link), and https unless it is on a
 * loopback host (over http the code is readable on the way). `state` is required: it is how the
 * application ties the callback to the browser session that started it (no login CSRF).
 * `allowedFactorKinds` narrows what the page offers and accepts. Only the token's hash is stored.
 */
export async function createVerificationTransaction(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  externalUserId: string;
  callbackUrl: string;
  state: string;
  allowedFactorKinds?: readonly FactorKind[];
}): Promise<{ transactionId: string; url: string; expiresAt: Date }> {
  const { deps, application } = options;
  if (!isSecureOrLoopbackUrl(options.callbackUrl)) {
    throw new HoldfastError('INSECURE_URL', 'callbackUrl must be https (http only for localhost, 127.0.0.1 or [::1])');
  }
  const allowedFactorKinds = [...new Set(options.allowedFactorKinds ?? [])];
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
      data: {
        applicationId: application.id,
        userId: user.id,
        tokenHash: hashToken(token),
        callbackUrl: options.callbackUrl,
        state: options.state,
        allowedFactorKinds,
        expiresAt,
      },
      select: { id: true },
    });
    await writeAuditEvent(tx, {
      type: 'hosted.transaction_created',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: application.id,
      userId: user.id,
      detail: { transactionId: created.id, callbackUrl: options.callbackUrl, allowedFactorKinds, expiresAt: expiresAt.toISOString() },
    });
    return created.id;
  });
  return { transactionId, url: `${deps.publicUrl.replace(/\/$/, '')}/verify/${token}`, expiresAt };
}
