import { decideFactorChange, describeStepUp, HoldfastError, type FactorChange, type FactorChangeDecision, type StepUpStatus } from '@holdfast/core';
import type { PrismaDb, PrismaTx, SqlClient } from '@holdfast/db';
import type { EnrollmentPrincipal } from '../../deps';

/** Both write styles the factor services use: Prisma (its interactive transaction, or plain reads) and `pg`. */
type Transaction = PrismaDb | PrismaTx | SqlClient;

// Row shapes are type aliases (not interfaces) so they fit the index-signature constraint.
async function queryRows<T extends Record<string, unknown>>(db: Transaction, text: string, values: unknown[]): Promise<T[]> {
  if ('$queryRawUnsafe' in db) return db.$queryRawUnsafe<T[]>(text, ...values);
  return (await db.query<T>(text, values)).rows;
}

type SessionRow = {
  stepped_up_at: Date | null;
  ended_at: Date | null;
  session_expires_at: Date | null;
  bound_count: number;
};

/**
 * "Bound" = usable or recoverable-by-the-user factors: everything but an unfinished setup and a
 * removed factor. Locked and suspended factors count, so losing the use of them never turns an
 * account back into a first binding that a link alone could make. An admin-issued bypass code
 * (issue 13) is not bound to the user and cannot step up a portal session: a user who has only one
 * (they lost everything else) enrolls as a first binding.
 */
const boundFactorCountSql = `SELECT count(*)::int FROM factors f WHERE f.user_id = l.user_id AND f.status NOT IN ('pending', 'revoked') AND f.kind <> 'bypass'`;

async function readSession(db: Transaction, enrollment: EnrollmentPrincipal, now: Date): Promise<SessionRow> {
  const rows = await queryRows<SessionRow>(
    db,
    `SELECT l.stepped_up_at, l.ended_at, l.session_expires_at, (${boundFactorCountSql}) AS bound_count
       FROM enrollment_links l WHERE l.id = $1::uuid AND l.user_id = $2::uuid`,
    [enrollment.linkId, enrollment.userId],
  );
  const session = rows[0];
  // Re-checked here, not only when the request was authenticated: a logout or a newer link may
  // have ended the session since.
  if (session === undefined || session.ended_at !== null || session.session_expires_at === null || session.session_expires_at <= now) {
    throw new HoldfastError('ENROLLMENT_SESSION_INVALID', 'the enrollment session has ended; open a new enrollment link');
  }
  return session;
}

/**
 * The step-up gate every factor-changing service passes, inside the transaction that makes the
 * change. It locks the user's row first (the one write path locks users before factors too, so
 * the order is the same everywhere), so two sessions cannot both count "no factor yet" and both
 * bind as a first binding, and a change cannot slip past a step-up that is being ended. The
 * decision itself is core's (`decideFactorChange`); refusals throw STEP_UP_REQUIRED (403) or
 * FACTOR_LIMIT_REACHED (409).
 */
export async function authorizeFactorChange(options: {
  db: Transaction;
  enrollment: EnrollmentPrincipal;
  change: FactorChange;
  now: Date;
  /** A cheap early refusal outside any transaction (before slow work); the real check runs again under the lock. */
  isPrecheck?: boolean;
}): Promise<Extract<FactorChangeDecision, { isAllowed: true }>> {
  const { db, enrollment, now } = options;
  if (options.isPrecheck !== true) await queryRows(db, 'SELECT id FROM users WHERE id = $1::uuid FOR UPDATE', [enrollment.userId]);
  const session = await readSession(db, enrollment, now);
  const decision = decideFactorChange({ change: options.change, boundFactorCount: session.bound_count, steppedUpAt: session.stepped_up_at, now });
  if (!decision.isAllowed) throw new HoldfastError(decision.code, decision.message);
  return decision;
}

/**
 * After a first binding, the session has just proven possession of the factor it created (the
 * TOTP code, the passkey's attestation, the codes it was shown), so it counts as stepped up for
 * the usual five minutes: the rest of a first setup (say, recovery codes after the app) needs no
 * second proof. Only a first binding does this; later additions never extend a step-up.
 */
export async function recordFirstBindingStepUp(options: {
  db: Transaction;
  enrollment: EnrollmentPrincipal;
  decision: Extract<FactorChangeDecision, { isAllowed: true }>;
  factorId: string;
  now: Date;
}): Promise<void> {
  if (options.decision.basis !== 'first_binding') return;
  await queryRows(options.db, 'UPDATE enrollment_links SET stepped_up_at = $2, stepped_up_factor_id = $3::uuid WHERE id = $1::uuid RETURNING id', [
    options.enrollment.linkId,
    options.now,
    options.factorId,
  ]);
}

/** What the portal shows: whether the session must confirm it is the user before changing anything. */
export async function readStepUpStatus(options: {
  db: Transaction;
  enrollment: EnrollmentPrincipal;
  now: Date;
}): Promise<StepUpStatus & { boundFactorCount: number }> {
  const session = await readSession(options.db, options.enrollment, options.now);
  return {
    ...describeStepUp({ boundFactorCount: session.bound_count, steppedUpAt: session.stepped_up_at, now: options.now }),
    boundFactorCount: session.bound_count,
  };
}
