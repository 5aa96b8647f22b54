import { authenticatorNameFor, HoldfastError } from '@holdfast/core';
import { writeAuditEvent } from '@holdfast/db';
import type { EnrollmentFactorStatus, FactorKind } from '@holdfast/validators';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { verifyRemovalCode } from '../verify/verify-removal-code';
import { authorizeFactorChange } from './authorize-factor-change';

export interface OwnFactor {
  id: string;
  kind: FactorKind;
  label: string;
  status: EnrollmentFactorStatus;
  createdAt: string;
  lastUsedAt: string | null;
  remainingCodes: number | null;
  /** WebAuthn only: the authenticator model's name when it is a well-known one. */
  authenticatorName: string | null;
}

/**
 * The enrolling user's own factors (revoked ones are gone from their point of view). An admin-issued
 * bypass code (issue 13) is not one of "their factors": it is neither listed nor changeable here.
 */
export async function listOwnFactors(options: { deps: ServiceDeps; enrollment: EnrollmentPrincipal }): Promise<{ userId: string; factors: OwnFactor[] }> {
  const rows = await options.deps.db.prisma.factor.findMany({
    where: { userId: options.enrollment.userId, status: { not: 'revoked' }, kind: { not: 'bypass' } },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      kind: true,
      label: true,
      status: true,
      createdAt: true,
      lastUsedAt: true,
      webauthn: { select: { aaguid: true } },
      _count: { select: { recoveryCodes: { where: { usedAt: null } } } },
    },
  });
  return {
    userId: options.enrollment.externalUserId,
    factors: rows.map((f) => ({
      id: f.id,
      kind: f.kind,
      label: f.label,
      status: f.status === 'pending' ? 'pending' : 'active',
      createdAt: f.createdAt.toISOString(),
      lastUsedAt: f.lastUsedAt?.toISOString() ?? null,
      remainingCodes: f.kind === 'recovery_codes' ? f._count.recoveryCodes : null,
      authenticatorName: f.webauthn === null ? null : authenticatorNameFor(f.webauthn.aaguid),
    })),
  };
}

export async function renameOwnFactor(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  factorId: string;
  label: string;
}): Promise<{ factorId: string; label: string }> {
  const { deps, enrollment } = options;
  return deps.db.prisma.$transaction(async (tx) => {
    // A label is what the user recognizes a factor by ("Work phone"): renaming needs step-up too.
    await authorizeFactorChange({ db: tx, enrollment, change: 'rename', now: deps.clock() });
    const { count } = await tx.factor.updateMany({
      where: { id: options.factorId, userId: enrollment.userId, status: { not: 'revoked' } },
      data: { label: options.label },
    });
    if (count === 0) throw new HoldfastError('FACTOR_NOT_FOUND', 'no such factor for this user');
    await writeAuditEvent(tx, {
      type: 'factor.renamed',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      factorId: options.factorId,
      detail: { by: 'user' },
    });
    return { factorId: options.factorId, label: options.label };
  });
}

/**
 * Removes one of the user's own factors. Removing the LAST active factor would leave the account
 * with no second factor, so it takes a fresh verification: a current code of that (TOTP) factor,
 * consumed like a login (single use). Holding an enrollment link alone is not enough for that.
 */
export async function removeOwnFactor(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  factorId: string;
  code: string | null;
}): Promise<{ factorId: string; status: 'revoked' }> {
  const { deps, enrollment } = options;
  // Step-up first (a cheap read): an unverified session gets STEP_UP_REQUIRED before any code is checked or counted.
  await authorizeFactorChange({ db: deps.db.prisma, enrollment, change: 'remove', now: deps.clock(), isPrecheck: true });
  // The last-factor code goes through the one write path (counting, lockout, audit) in its own
  // transaction, before this one takes the same row locks (services/verify/verify-removal-code.ts).
  const verifiedFactorId = options.code === null ? null : await verifyRemovalCode({ deps, enrollment, factorId: options.factorId, code: options.code });
  return deps.db.prisma.$transaction(async (tx) => {
    // Step-up gate (owned by the step-up change; locks the user row before the factors below).
    await authorizeFactorChange({ db: tx, enrollment, change: 'remove', now: deps.clock() });
    // Lock the user's factors so two removals cannot both see "another factor remains".
    await tx.$queryRaw`SELECT id FROM factors WHERE user_id = ${enrollment.userId}::uuid FOR UPDATE`;
    // A bypass code is not the user's factor: it is neither removable here nor "another factor".
    const factors = await tx.factor.findMany({
      where: { userId: enrollment.userId, status: { not: 'revoked' }, kind: { not: 'bypass' } },
      select: { id: true, kind: true, status: true },
    });
    const factor = factors.find((f) => f.id === options.factorId);
    if (factor === undefined) throw new HoldfastError('FACTOR_NOT_FOUND', 'no such factor for this user');
    const isLastActive = factor.status === 'active' && factors.filter((f) => f.status === 'active').length === 1;
    if (isLastActive && verifiedFactorId !== factor.id) {
      throw new HoldfastError('FRESH_VERIFICATION_REQUIRED', 'this is your last factor: enter a current code from it to remove it');
    }
    await tx.factor.update({ where: { id: factor.id }, data: { status: 'revoked' } });
    if (factor.kind === 'recovery_codes') await tx.recoveryCode.deleteMany({ where: { factorId: factor.id } });
    await writeAuditEvent(tx, {
      type: 'factor.revoked',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      factorId: factor.id,
      detail: { kind: factor.kind, by: 'user', wasLastFactor: isLastActive },
    });
    return { factorId: factor.id, status: 'revoked' as const };
  });
}
