import { HoldfastError } from '@holdfast/core';
import { randomUUID } from 'node:crypto';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { verifyFactorForUser } from './verify-factor-for-user';

/**
 * Removing the user's LAST active factor takes a current code of it (a TOTP factor). That code is
 * checked through the one write path — counted toward the factor's and the account's lockout,
 * single use, audited — with a server-side attempt id. It runs in its own transaction, so the
 * caller must call it BEFORE opening the transaction that removes the factor (which locks the same
 * rows) and re-check "last factor" there. Returns the verified factor id, or null when no code is
 * needed (not the last active factor, or not a TOTP factor: the caller then refuses or proceeds).
 */
export async function verifyRemovalCode(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  factorId: string;
  code: string;
}): Promise<string | null> {
  const { deps, enrollment } = options;
  const active = await deps.db.prisma.factor.findMany({ where: { userId: enrollment.userId, status: 'active' }, select: { id: true, kind: true } });
  const factor = active.find((f) => f.id === options.factorId);
  if (factor?.kind !== 'totp' || active.length !== 1) return null;
  const result = await verifyFactorForUser({
    deps,
    applicationId: enrollment.applicationId,
    externalUserId: enrollment.externalUserId,
    credential: { kind: 'totp', factorId: factor.id, code: options.code },
    attemptId: `remove-${randomUUID()}`,
  });
  if (result.outcome !== 'accepted') {
    const isLocked = result.reason === 'locked' || result.reason === 'account_locked';
    throw new HoldfastError(
      'INVALID_CODE',
      isLocked ? 'too many wrong codes: this factor is locked' : 'that code does not match; enter the current code from your authenticator app',
    );
  }
  return factor.id;
}
