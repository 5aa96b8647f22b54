import { HoldfastError } from '@holdfast/core';
import { awaitReplicationBarrier, withDatabaseRetry } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { toVerificationResult, type VerificationResult } from './verification-result';

/** The recorded outcome of an attempt id — how a caller resolves a verification whose reply it lost. */
export async function getAttemptStatus(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  attemptId: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const row = await withDatabaseRetry(
    options.deps,
    () =>
      options.deps.db.prisma.verificationAttempt.findUnique({
        where: { applicationId_attemptId: { applicationId: options.application.id, attemptId: options.attemptId } },
      }),
    options.signal,
  );
  if (row === null) throw new HoldfastError('ATTEMPT_NOT_FOUND', 'no verification with this attempt id');
  // Only report an outcome the standby also has (see awaitReplicationBarrier).
  await withDatabaseRetry(options.deps, () => awaitReplicationBarrier(options.deps.db.pool), options.signal);
  return toVerificationResult(row);
}
