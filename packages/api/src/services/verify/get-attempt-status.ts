import { HoldfastError, isFactorLocked } from '@holdfast/core';
import { awaitReplicationBarrier, withDatabaseRetry } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { attemptReplayWindowMs, toVerificationResult, type VerificationResult } from './verification-result';

/**
 * The recorded outcome of an attempt id — how a caller resolves a verification whose reply it lost.
 * It carries no credential, so it gets the same bounds as a replay and no more: 10 minutes, and an
 * accepted outcome only while its factor is still active and nothing is locked (ATTEMPT_ID_EXPIRED
 * otherwise). Always `replayed: true`. A read: not audited.
 */
export async function getAttemptStatus(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  attemptId: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const { deps } = options;
  const row = await withDatabaseRetry(
    deps,
    () =>
      deps.db.prisma.verificationAttempt.findUnique({
        where: { applicationId_attemptId: { applicationId: options.application.id, attemptId: options.attemptId } },
      }),
    options.signal,
  );
  if (row === null) throw new HoldfastError('ATTEMPT_NOT_FOUND', 'no verification with this attempt id');
  const now = deps.clock();
  if (now.getTime() - row.createdAt.getTime() > attemptReplayWindowMs) {
    throw new HoldfastError('ATTEMPT_ID_EXPIRED', 'this attempt id is older than 10 minutes; use a fresh attempt id');
  }
  if (row.outcome === 'accepted') {
    const factorId = row.factorId;
    const state = await withDatabaseRetry(
      deps,
      () =>
        factorId === null
          ? Promise.resolve(null)
          : deps.db.prisma.factor.findUnique({ where: { id: factorId }, select: { status: true, lockedUntil: true, user: { select: { lockedUntil: true } } } }),
      options.signal,
    );
    const isUnchanged =
      state !== null &&
      state.status === 'active' &&
      !isFactorLocked({ lockedUntil: state.lockedUntil, now }) &&
      !isFactorLocked({ lockedUntil: state.user.lockedUntil, now });
    if (!isUnchanged) throw new HoldfastError('ATTEMPT_ID_EXPIRED', 'the factor of this attempt was revoked, replaced or locked since; use a fresh attempt id');
  }
  // Only report an outcome the standby also has (see awaitReplicationBarrier).
  await withDatabaseRetry(deps, (deadline) => awaitReplicationBarrier(deps.db.pool, deadline), options.signal);
  return toVerificationResult({ ...row, replayed: true });
}
