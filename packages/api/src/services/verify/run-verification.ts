import { HoldfastError, isFactorLocked, lockAfterFailure, type VerifyRejectReason } from '@holdfast/core';
import { writeAuditEvent, type PrismaTx } from '@holdfast/db';
import { createHash } from 'node:crypto';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { toVerificationResult, type VerificationResult, type VerifiedFactorKind } from './verification-result';

/** What a factor's check decided, given the factor row locked for this transaction. */
export type FactorCheck =
  | { isMatch: true; /** The single-use compare-and-set; false means another request used it first. */ consume: () => Promise<boolean> }
  | { isMatch: false; reason: 'invalid_code' | 'replay' };

interface LockedFactorRow {
  id: string;
  status: 'pending' | 'active' | 'revoked';
  failed_count: number;
  locked_until: Date | null;
}

/** Thrown inside the transaction to roll it back when another request recorded this attempt id first. */
class AttemptAlreadyRecorded extends Error {}

function hashRequest(kind: VerifiedFactorKind, externalUserId: string, factorId: string | null): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(`${kind}\u0000${externalUserId}\u0000${factorId ?? ''}`).digest());
}

/**
 * The one write path for every verification (TOTP, recovery code):
 *  - idempotent by attempt id (invariant 3): a retry, on any gateway, returns the recorded outcome;
 *  - the factor row is locked (`FOR UPDATE`) so lockout counting is exact across all gateways
 *    (invariant 4), and the factor's own single-use compare-and-set runs under it (invariant 1);
 *  - the state change, the attempt record and the audit events commit in one transaction (invariant 7).
 */
export async function runVerification(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  attemptId: string;
  externalUserId: string;
  factorId: string | null;
  kind: VerifiedFactorKind;
  check: (input: { tx: PrismaTx; factorId: string; now: Date }) => Promise<FactorCheck>;
}): Promise<VerificationResult> {
  const { deps, application, attemptId } = options;
  const requestHash = hashRequest(options.kind, options.externalUserId, options.factorId);
  const findRecorded = async (): Promise<VerificationResult | null> => {
    const recorded = await deps.db.prisma.verificationAttempt.findUnique({
      where: { applicationId_attemptId: { applicationId: application.id, attemptId } },
    });
    if (recorded === null) return null;
    if (!Buffer.from(recorded.requestHash).equals(requestHash)) {
      throw new HoldfastError('ATTEMPT_ID_REUSED', 'this attempt id was already used for a different request; use a fresh attempt id');
    }
    return toVerificationResult(recorded);
  };

  const earlier = await findRecorded();
  if (earlier !== null) return earlier;

  try {
    return await deps.db.prisma.$transaction(
      async (tx) => {
        const now = deps.clock();
        const user = await tx.user.findUnique({
          where: { applicationId_externalId: { applicationId: application.id, externalId: options.externalUserId } },
          select: { id: true },
        });
        if (user === null) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
        // Prefer the active factor of that kind; lock it so every gateway's attempts on it serialize.
        const rows = await tx.$queryRaw<LockedFactorRow[]>`
          SELECT id, status::text AS status, failed_count, locked_until FROM factors
          WHERE user_id = ${user.id}::uuid AND kind = ${options.kind}::factor_kind AND status <> 'revoked'
            AND (${options.factorId}::uuid IS NULL OR id = ${options.factorId}::uuid)
          ORDER BY (status = 'active') DESC, created_at DESC
          LIMIT 1
          FOR UPDATE`;
        const factor = rows[0];
        if (factor === undefined) throw new HoldfastError('FACTOR_NOT_FOUND', `the user has no ${options.kind === 'totp' ? 'TOTP factor' : 'recovery codes'}`);

        let reason: VerifyRejectReason | null = null;
        let lockedUntil: Date | null = null;
        if (factor.status !== 'active') reason = 'factor_not_active';
        else if (isFactorLocked({ lockedUntil: factor.locked_until, now })) reason = 'locked';
        else {
          const check = await options.check({ tx, factorId: factor.id, now });
          if (check.isMatch) reason = (await check.consume()) ? null : 'replay';
          else reason = check.reason;
        }

        if (reason === null) {
          await tx.factor.update({ where: { id: factor.id }, data: { failedCount: 0, lastUsedAt: now } });
        } else if (reason === 'invalid_code') {
          // Replays and locked attempts do not count: they are not guesses at the secret.
          const failedCount = factor.failed_count + 1;
          lockedUntil = lockAfterFailure({ failedCount, policy: deps.lockoutPolicy, now }).lockedUntil;
          await tx.factor.update({
            where: { id: factor.id },
            data: { failedCount, ...(lockedUntil === null ? {} : { lockedUntil }) },
          });
        }

        const recorded = await tx.verificationAttempt.createManyAndReturn({
          data: [{
            applicationId: application.id,
            attemptId,
            requestHash,
            userId: user.id,
            factorId: factor.id,
            outcome: reason === null ? 'accepted' : 'rejected',
            reason,
            gatewayId: deps.gateway.id,
            region: deps.gateway.region,
            createdAt: now,
          }],
          skipDuplicates: true,
        });
        const attempt = recorded[0];
        if (attempt === undefined) throw new AttemptAlreadyRecorded();

        const audit = { gatewayId: deps.gateway.id, region: deps.gateway.region, applicationId: application.id, userId: user.id, factorId: factor.id, attemptId };
        await writeAuditEvent(tx, {
          ...audit,
          type: reason === null ? 'verify.accepted' : 'verify.rejected',
          detail: { kind: options.kind, ...(reason === null ? {} : { reason }) },
        });
        if (lockedUntil !== null) {
          await writeAuditEvent(tx, { ...audit, type: 'factor.locked', detail: { kind: options.kind, failedCount: factor.failed_count + 1, lockedUntil: lockedUntil.toISOString() } });
        }
        return toVerificationResult(attempt);
      },
      { maxWait: 5_000, timeout: 10_000 },
    );
  } catch (error) {
    if (!(error instanceof AttemptAlreadyRecorded)) throw error;
    const recorded = await findRecorded();
    if (recorded === null) throw new HoldfastError('INTERNAL', 'attempt record vanished', { cause: error });
    return recorded;
  }
}
