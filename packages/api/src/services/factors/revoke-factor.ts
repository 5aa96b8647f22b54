import { HoldfastError } from '@holdfast/core';
import { writeAuditEvent, type PrismaTx } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

/**
 * The relying application revokes one of its user's factors (lost phone, offboarding). It stops
 * verifying at once on every gateway: verification reads the factor's status under its row lock,
 * never from a cache; the cached factor lists are invalidated by the status change's NOTIFY.
 */
export async function revokeFactor(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  externalUserId: string;
  factorId: string;
  /** Who asks, for the audit trail (default: the relying application). */
  by?: 'application' | 'admin';
  /** Runs in the same transaction after the change (the admin console's `admin.action` audit, invariant 7). */
  inTransaction?: (tx: PrismaTx, change: { userId: string; factorId: string; kind: string; statusBefore: string }) => Promise<void>;
}): Promise<{ factorId: string; status: 'revoked' }> {
  const { deps, application } = options;
  return deps.db.prisma.$transaction(async (tx) => {
    const factor = await tx.factor.findFirst({
      where: { id: options.factorId, user: { applicationId: application.id, externalId: options.externalUserId } },
      select: { id: true, userId: true, kind: true, status: true },
    });
    if (factor === null) throw new HoldfastError('FACTOR_NOT_FOUND', 'no such factor for this user');
    if (factor.status !== 'revoked') {
      await tx.factor.update({ where: { id: factor.id }, data: { status: 'revoked' } });
      await writeAuditEvent(tx, {
        type: 'factor.revoked',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: application.id,
        userId: factor.userId,
        factorId: factor.id,
        detail: { kind: factor.kind, by: options.by ?? 'application' },
      });
    }
    await options.inTransaction?.(tx, { userId: factor.userId, factorId: factor.id, kind: factor.kind, statusBefore: factor.status });
    return { factorId: factor.id, status: 'revoked' as const };
  });
}
