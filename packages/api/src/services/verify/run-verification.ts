import { factorModuleFor, HoldfastError, isFactorLocked, lockAfterFailure, type TotpAlgorithm } from '@holdfast/core';
import { awaitReplicationBarrier, withDatabaseRetry, withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import type { FactorRejectReason, FactorStatus, VerificationOutcome, VerifyRejectReason } from '@holdfast/validators';
import { createHash } from 'node:crypto';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { toVerificationResult, type VerificationResult, type VerifiedFactorKind } from './verification-result';

/** The factor being verified, locked `FOR UPDATE` for the transaction, with its TOTP state if any. */
export interface LockedFactor {
  userId: string;
  id: string;
  status: FactorStatus;
  failedCount: number;
  lockedUntil: Date | null;
  totp: { secretEnc: string; algorithm: TotpAlgorithm; digits: number; period: number; lastStep: number } | null;
  webauthn: { credentialId: Buffer; publicKey: Buffer; signCount: number; transports: string[] } | null;
}

/** What a factor's check decided, with the factor row locked for this transaction. */
export type FactorCheck =
  | { isMatch: true; /** The single-use compare-and-set; false means another request used it first. */ consume: () => Promise<boolean> }
  | { isMatch: false; reason: FactorRejectReason };

/** Thrown inside the transaction to roll it back when another request recorded this attempt id first. */
class AttemptAlreadyRecorded extends Error {}

interface AttemptRow {
  attempt_id: string;
  outcome: VerificationOutcome;
  reason: string | null;
  factor_id: string | null;
  created_at: Date;
  gateway_id: string;
  region: string;
  request_hash: Buffer;
}

function hashRequest(kind: VerifiedFactorKind, externalUserId: string, factorId: string | null): Buffer {
  return createHash('sha256')
    .update(`${kind}\u0000${externalUserId}\u0000${factorId ?? ''}`)
    .digest();
}

function toResult(row: AttemptRow): VerificationResult {
  return toVerificationResult({
    attemptId: row.attempt_id,
    outcome: row.outcome,
    reason: row.reason,
    factorId: row.factor_id,
    createdAt: row.created_at,
    gatewayId: row.gateway_id,
    region: row.region,
  });
}

const attemptColumns = 'attempt_id, outcome::text AS outcome, reason, factor_id, created_at, gateway_id, region, request_hash';

export interface VerificationRequest {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  attemptId: string;
  externalUserId: string;
  factorId: string | null;
  kind: VerifiedFactorKind;
  check: (input: { sql: SqlClient; factor: LockedFactor; now: Date }) => Promise<FactorCheck>;
  /** Aborts when the caller disconnects. */
  signal?: AbortSignal;
}

/**
 * The one write path for every verification (TOTP, recovery code, WebAuthn assertion). It is plain SQL on purpose:
 * it is the hot path, and its statements are the invariants.
 *  - The factor row is locked (`FOR UPDATE`), so all gateways' attempts on one factor serialize:
 *    lockout counting is exact (invariant 4) and the single-use compare-and-set runs under it
 *    (invariant 1).
 *  - The attempt id is the idempotency key (invariant 3): the attempt row is inserted
 *    `ON CONFLICT DO NOTHING` in the same transaction; if another request recorded it first, this
 *    transaction rolls back (undoing anything it did) and the recorded outcome is returned — so a
 *    retry, on any gateway, is never reported as a replay.
 *  - The state change, the attempt and its audit events commit together (invariant 7).
 */
export async function runVerification(options: VerificationRequest): Promise<VerificationResult> {
  // Retrying after a lost or doubtful commit is safe: if it did commit, the attempt row is there
  // and the retry returns that outcome instead of evaluating the code again.
  return withDatabaseRetry(options.deps, () => runVerificationOnce(options), options.signal);
}

async function runVerificationOnce(options: VerificationRequest): Promise<VerificationResult> {
  const { deps, application, attemptId } = options;
  const requestHash = hashRequest(options.kind, options.externalUserId, options.factorId);
  const findRecorded = async (): Promise<VerificationResult | null> => {
    const { rows } = await deps.db.pool.query<AttemptRow>(`SELECT ${attemptColumns} FROM verification_attempts WHERE application_id = $1 AND attempt_id = $2`, [
      application.id,
      attemptId,
    ]);
    const recorded = rows[0];
    if (recorded === undefined) return null;
    if (!recorded.request_hash.equals(requestHash)) {
      throw new HoldfastError('ATTEMPT_ID_REUSED', 'this attempt id was already used for a different request; use a fresh attempt id');
    }
    return toResult(recorded);
  };

  try {
    return await withTransaction(deps.db.pool, async (sql) => {
      const now = deps.clock();
      const factor = await lockFactor(sql, {
        applicationId: application.id,
        externalUserId: options.externalUserId,
        kind: options.kind,
        factorId: options.factorId,
      });

      let reason: VerifyRejectReason | null = null;
      if (factor.status !== 'active') reason = 'factor_not_active';
      else if (isFactorLocked({ lockedUntil: factor.lockedUntil, now })) reason = 'locked';
      else {
        const check = await options.check({ sql, factor, now });
        if (check.isMatch) reason = (await check.consume()) ? null : 'replay';
        else reason = check.reason;
      }

      let lockedUntil: Date | null = null;
      if (reason === null) {
        await sql.query('UPDATE factors SET failed_count = 0, last_used_at = $2 WHERE id = $1', [factor.id, now]);
      } else if (reason === 'invalid_code') {
        // Replays and attempts on a locked factor do not count: they are not guesses at the secret.
        const failedCount = factor.failedCount + 1;
        lockedUntil = lockAfterFailure({ failedCount, policy: deps.lockoutPolicy, now }).lockedUntil;
        await sql.query('UPDATE factors SET failed_count = $2, locked_until = COALESCE($3, locked_until) WHERE id = $1', [factor.id, failedCount, lockedUntil]);
      }

      const inserted = await sql.query<AttemptRow>(
        `INSERT INTO verification_attempts (id, application_id, attempt_id, request_hash, user_id, factor_id, outcome, reason, gateway_id, region, created_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::attempt_outcome, $7, $8, $9, $10)
         ON CONFLICT (application_id, attempt_id) DO NOTHING
         RETURNING ${attemptColumns}`,
        [
          application.id,
          attemptId,
          requestHash,
          factor.userId,
          factor.id,
          reason === null ? 'accepted' : 'rejected',
          reason,
          deps.gateway.id,
          deps.gateway.region,
          now,
        ],
      );
      const attempt = inserted.rows[0];
      if (attempt === undefined) throw new AttemptAlreadyRecorded();

      const audit = {
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: application.id,
        userId: factor.userId,
        factorId: factor.id,
        attemptId,
      };
      await writeAuditEvent(sql, {
        ...audit,
        type: reason === null ? 'verify.accepted' : 'verify.rejected',
        detail: { kind: options.kind, ...(reason === null ? {} : { reason }) },
      });
      if (lockedUntil !== null) {
        await writeAuditEvent(sql, {
          ...audit,
          type: 'factor.locked',
          detail: { kind: options.kind, failedCount: factor.failedCount + 1, lockedUntil: lockedUntil.toISOString() },
        });
      }
      return toResult(attempt);
    });
  } catch (error) {
    // A retry of a recorded attempt gets the recorded outcome, even if the user or factor is gone since.
    const isRetryable = error instanceof AttemptAlreadyRecorded || (error instanceof HoldfastError && error.category === 'not_found');
    if (!isRetryable) throw error;
    const recorded = await findRecorded();
    if (recorded !== null) {
      // The row may come from a commit whose sync-replication wait was cancelled (committed here,
      // not yet on the standby): never acknowledge it before the standby has it.
      await awaitReplicationBarrier(deps.db.pool);
      return recorded;
    }
    if (error instanceof AttemptAlreadyRecorded) throw new HoldfastError('INTERNAL', 'attempt record vanished', { cause: error });
    throw error;
  }
}

interface LockedFactorRow {
  user_id: string;
  id: string;
  status: FactorStatus;
  failed_count: number;
  locked_until: Date | null;
  secret_enc: string | null;
  algorithm: TotpAlgorithm | null;
  digits: number | null;
  period: number | null;
  last_step: string | null;
  credential_id: Buffer | null;
  public_key: Buffer | null;
  sign_count: string | null;
  transports: string[] | null;
}

/** One round trip: find the user's factor of this kind (the active one first) and lock it. */
async function lockFactor(
  sql: SqlClient,
  where: { applicationId: string; externalUserId: string; kind: VerifiedFactorKind; factorId: string | null },
): Promise<LockedFactor> {
  const { rows } = await sql.query<LockedFactorRow>(
    `SELECT u.id AS user_id, f.id, f.status::text AS status, f.failed_count, f.locked_until,
            t.secret_enc, t.algorithm::text AS algorithm, t.digits, t.period, t.last_step::text AS last_step,
            w.credential_id, w.public_key, w.sign_count::text AS sign_count, w.transports
       FROM users u
       JOIN factors f ON f.user_id = u.id
       LEFT JOIN totp_factors t ON t.factor_id = f.id
       LEFT JOIN webauthn_credentials w ON w.factor_id = f.id
      WHERE u.application_id = $1 AND u.external_id = $2 AND f.kind = $3::factor_kind AND f.status <> 'revoked'
        AND ($4::uuid IS NULL OR f.id = $4::uuid)
      ORDER BY (f.status = 'active') DESC, f.created_at DESC
      LIMIT 1
      FOR UPDATE OF f`,
    [where.applicationId, where.externalUserId, where.kind, where.factorId],
  );
  const row = rows[0];
  if (row === undefined) {
    const user = await sql.query('SELECT 1 FROM users WHERE application_id = $1 AND external_id = $2', [where.applicationId, where.externalUserId]);
    if (user.rowCount === 0) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
    throw new HoldfastError('FACTOR_NOT_FOUND', `the user has no ${factorModuleFor(where.kind).noun}${where.factorId === null ? '' : ' with this id'}`);
  }
  return {
    userId: row.user_id,
    id: row.id,
    status: row.status,
    failedCount: row.failed_count,
    lockedUntil: row.locked_until,
    totp:
      row.secret_enc === null || row.algorithm === null || row.digits === null || row.period === null || row.last_step === null
        ? null
        : { secretEnc: row.secret_enc, algorithm: row.algorithm, digits: row.digits, period: row.period, lastStep: Number(row.last_step) },
    webauthn:
      row.credential_id === null || row.public_key === null || row.sign_count === null
        ? null
        : { credentialId: row.credential_id, publicKey: row.public_key, signCount: Number(row.sign_count), transports: row.transports ?? [] },
  };
}
