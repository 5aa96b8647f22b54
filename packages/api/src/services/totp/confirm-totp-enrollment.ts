import { checkTotpCode, HoldfastError } from '@holdfast/core';
import { writeAuditEvent } from '@holdfast/db';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { authorizeFactorChange, recordFirstBindingStepUp } from '../enrollment/authorize-factor-change';
import { loadTotpState } from './load-totp-state';

/**
 * Activates a pending TOTP factor once the user proves their authenticator produces its codes.
 * The accepted step is stored as the factor's last step, so the confirming code cannot be
 * replayed as a login. The step-up gate runs again here, in the activating transaction (the
 * session may have been ended, or its step-up lapsed, since the secret was issued).
 */
export async function confirmTotpEnrollment(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  factorId: string;
  code: string;
}): Promise<{ factorId: string; status: 'active' }> {
  const { deps, enrollment } = options;
  return deps.db.prisma.$transaction(async (tx) => {
    const now = deps.clock();
    const decision = await authorizeFactorChange({ db: tx, enrollment, change: 'add', now });
    const factor = await tx.factor.findFirst({
      where: { id: options.factorId, userId: enrollment.userId, kind: 'totp' },
      select: { id: true, status: true },
    });
    if (factor === null) throw new HoldfastError('FACTOR_NOT_FOUND', 'no such TOTP factor for this user');
    if (factor.status !== 'pending') throw new HoldfastError('ALREADY_ENROLLED', 'this factor is already confirmed');
    const state = await loadTotpState({ deps, tx, factorId: factor.id });
    if (state === null) throw new HoldfastError('FACTOR_NOT_FOUND', 'no such TOTP factor for this user');
    const check = await checkTotpCode({ ...state, code: options.code, now, window: deps.totpWindow });
    if (!check.matched) {
      throw new HoldfastError('INVALID_CODE', 'that code does not match; check the device clock and try the current code');
    }
    const { count } = await tx.factor.updateMany({ where: { id: factor.id, status: 'pending' }, data: { status: 'active' } });
    if (count !== 1) throw new HoldfastError('ALREADY_ENROLLED', 'this factor is already confirmed');
    await tx.totpFactor.update({ where: { factorId: factor.id }, data: { lastStep: BigInt(check.step) } });
    await recordFirstBindingStepUp({ db: tx, enrollment, decision, factorId: factor.id, now });
    await writeAuditEvent(tx, {
      type: 'factor.enrolled',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      factorId: factor.id,
      detail: { kind: 'totp' },
    });
    return { factorId: factor.id, status: 'active' as const };
  });
}
