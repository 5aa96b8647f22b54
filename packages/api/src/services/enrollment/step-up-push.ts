import { HoldfastError, stepUpFreshnessMs } from '@holdfast/core';
import { writeAuditEvent } from '@holdfast/db';
import type { PushTransactionStatusWord } from '@holdfast/validators';
import { randomUUID } from 'node:crypto';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { beginPush } from '../push/begin-push';
import { getPushStatus } from '../push/get-push-status';

/**
 * The attempt ids of this session's step-up pushes. The link id is never shown to the application
 * (which chooses `verify.pushBegin` attempt ids), so only this session's pushes carry it: that is
 * the binding `getStepUpPushStatus` checks, as `hosted_transaction_id` is for the hosted page.
 */
function stepUpAttemptPrefix(enrollment: EnrollmentPrincipal): string {
  return `stepup-push-${enrollment.linkId}-`;
}

/**
 * "Confirm it's you" with a paired phone: a push to the user's devices, through the same service
 * (fatigue limits, one pending push per user, audit, Web Push) as a login. The portal shows the
 * number; the user types it on the phone.
 */
export async function beginStepUpPush(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  signal?: AbortSignal;
}): Promise<{ transactionId: string; number: string; expiresAt: Date }> {
  const { deps, enrollment } = options;
  const application = await deps.db.prisma.application.findUniqueOrThrow({ where: { id: enrollment.applicationId }, select: { id: true, name: true } });
  const begun = await beginPush({
    deps,
    application,
    externalUserId: enrollment.externalUserId,
    attemptId: `${stepUpAttemptPrefix(enrollment)}${randomUUID()}`,
    context: {},
    signal: options.signal,
  });
  return { transactionId: begun.transactionId, number: begun.number, expiresAt: begun.expiresAt };
}

/**
 * Waits (long-poll, ≤ 25 s) for the phone's answer to this session's step-up push. Approved → the
 * session is stepped up AS OF THE APPROVAL (`stepped_up_at` = the push's `decided_at`), by a
 * compare-and-set that only moves it forward: however many status calls see the approval, it is
 * recorded and audited once, and asking again later cannot stretch the 5-minute window (inv. 11).
 */
export async function getStepUpPushStatus(options: {
  deps: ServiceDeps;
  enrollment: EnrollmentPrincipal;
  transactionId: string;
  waitMs?: number;
  signal?: AbortSignal;
  leaveAdmission?: (() => boolean) | undefined;
}): Promise<{ status: PushTransactionStatusWord; validUntil: Date | null }> {
  const { deps, enrollment } = options;
  const { rows } = await deps.db.pool.query<{ id: string }>(
    'SELECT id FROM push_transactions WHERE id = $1 AND application_id = $2 AND user_id = $3 AND starts_with(attempt_id, $4)',
    [options.transactionId, enrollment.applicationId, enrollment.userId, stepUpAttemptPrefix(enrollment)],
  );
  if (rows[0] === undefined) throw new HoldfastError('PUSH_TRANSACTION_NOT_FOUND', 'no such push request for this session');

  const push = await getPushStatus({
    deps,
    application: { id: enrollment.applicationId },
    transactionId: options.transactionId,
    waitMs: options.waitMs ?? 0,
    signal: options.signal,
    leaveAdmission: options.leaveAdmission,
  });
  if (push.status !== 'approved') return { status: push.status, validUntil: null };

  const decided = await deps.db.pool.query<{ device_id: string | null; decided_at: Date; attempt_id: string }>(
    'SELECT device_id, decided_at, attempt_id FROM push_transactions WHERE id = $1',
    [options.transactionId],
  );
  const row = decided.rows[0];
  if (row === undefined) throw new HoldfastError('PUSH_TRANSACTION_NOT_FOUND', 'no such push request for this session');
  const steppedUpAt = row.decided_at;
  await deps.db.prisma.$transaction(async (tx) => {
    // Only a live session records it, and only forward: a second status call finds it recorded.
    const { count } = await tx.enrollmentLink.updateMany({
      where: {
        id: enrollment.linkId,
        endedAt: null,
        sessionExpiresAt: { gt: deps.clock() },
        OR: [{ steppedUpAt: null }, { steppedUpAt: { lt: steppedUpAt } }],
      },
      data: { steppedUpAt, steppedUpFactorId: row.device_id },
    });
    if (count !== 1) {
      const live = await tx.enrollmentLink.count({ where: { id: enrollment.linkId, endedAt: null, sessionExpiresAt: { gt: deps.clock() } } });
      if (live !== 1) throw new HoldfastError('ENROLLMENT_SESSION_INVALID', 'the enrollment session has ended; open a new enrollment link');
      return;
    }
    await writeAuditEvent(tx, {
      type: 'enrollment.stepped_up',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: enrollment.applicationId,
      userId: enrollment.userId,
      ...(row.device_id === null ? {} : { factorId: row.device_id }),
      attemptId: row.attempt_id,
      detail: { linkId: enrollment.linkId, kind: 'push', pushTransactionId: options.transactionId },
    });
  });
  return { status: 'approved', validUntil: new Date(steppedUpAt.getTime() + stepUpFreshnessMs) };
}
