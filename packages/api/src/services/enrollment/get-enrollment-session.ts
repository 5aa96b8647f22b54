import type { StepUpStatus } from '@holdfast/core';
import type { FactorKind } from '@holdfast/validators';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { readStepUpStatus } from './authorize-factor-change';

export interface EnrollmentSessionState {
  userId: string;
  stepUp: StepUpStatus['status'];
  /** Until when the current step-up lets the session change factors (null unless `fresh`). */
  stepUpValidUntil: Date | null;
  /** The kinds the user can step up with right now (active, not locked), in the portal's order. */
  stepUpKinds: FactorKind[];
  /** Active TOTP factors, so the portal can ask which app when there are several. */
  totpFactors: { id: string; label: string }[];
}

/** What the portal needs to decide whether to ask "Confirm it's you" first. */
export async function getEnrollmentSession(options: { deps: ServiceDeps; enrollment: EnrollmentPrincipal }): Promise<EnrollmentSessionState> {
  const { deps, enrollment } = options;
  const now = deps.clock();
  const status = await readStepUpStatus({ db: deps.db.prisma, enrollment, now });
  const usable = await deps.db.prisma.factor.findMany({
    where: { userId: enrollment.userId, status: 'active', OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }] },
    orderBy: { createdAt: 'asc' },
    select: { id: true, kind: true, label: true, _count: { select: { recoveryCodes: { where: { usedAt: null } } } } },
  });
  const kinds = new Set(usable.filter((f) => f.kind !== 'recovery_codes' || f._count.recoveryCodes > 0).map((f) => f.kind));
  const order: FactorKind[] = ['webauthn', 'push', 'totp', 'recovery_codes'];
  return {
    userId: enrollment.externalUserId,
    stepUp: status.status,
    stepUpValidUntil: status.validUntil,
    stepUpKinds: order.filter((kind) => kinds.has(kind)),
    totpFactors: usable.filter((f) => f.kind === 'totp').map((f) => ({ id: f.id, label: f.label })),
  };
}
