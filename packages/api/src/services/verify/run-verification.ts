import { decideVerification, factorModuleFor, HoldfastError, refusalBeforeCheck, timeOrderedUuid, type CheckOutcome, type LockoutPolicy } from '@holdfast/core';
import { withDatabaseRetry, withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import type { FactorRejectReason, FactorStatus, VerificationOutcome } from '@holdfast/validators';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { compareAttemptRequest, hashAttemptRequest } from './attempt-request-hash';
import { tryFastVerification, type FastVerification } from './fast-verification';
import { lockoutPolicyFor } from './lockout-policy';
import { factorSecretsOf, type FactorSecretColumns, type LockedFactor } from './locked-factor';
import { attemptReplayWindowMs, toVerificationResult, type VerificationResult, type VerifiedFactorKind } from './verification-result';

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
  user_id: string;
  factor_id: string | null;
  created_at: Date;
  gateway_id: string;
  region: string;
  request_hash: Buffer;
  request_key_id: string | null;
}

function toResult(row: AttemptRow, replayed: boolean): VerificationResult {
  return toVerificationResult({
    attemptId: row.attempt_id,
    outcome: row.outcome,
    reason: row.reason,
    factorId: row.factor_id,
    createdAt: row.created_at,
    gatewayId: row.gateway_id,
    region: row.region,
    replayed,
  });
}

const attemptColumns = 'attempt_id, outcome::text AS outcome, reason, user_id, factor_id, created_at, gateway_id, region, request_hash, request_key_id';

async function findAttempt(sql: Pick<SqlClient, 'query'>, applicationId: string, attemptId: string): Promise<AttemptRow | null> {
  const { rows } = await sql.query<AttemptRow>(`SELECT ${attemptColumns} FROM verification_attempts WHERE application_id = $1 AND attempt_id = $2`, [
    applicationId,
    attemptId,
  ]);
  return rows[0] ?? null;
}

export interface VerificationRequest {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id' | 'lockout'>;
  attemptId: string;
  externalUserId: string;
  factorId: string | null;
  kind: VerifiedFactorKind;
  /**
   * What the user presented, in canonical form (the normalized code; for WebAuthn the challenge id,
   * credential id and a digest of the authenticator data). Bound into the attempt's request hash by
   * HMAC, so the same attempt id with another credential is a different request. Never stored.
   */
  credential: string;
  check: (input: { sql: SqlClient; factor: LockedFactor; now: Date }) => Promise<FactorCheck>;
  /**
   * The same check without SQL of its own, for the two-round-trip path (`tryFastVerification`).
   * Without it — or when that path hands over (a replay, a lock, a conflict) — `check` runs under
   * the row locks.
   */
  fast?: FastVerification;
  /** Aborts when the caller disconnects. */
  signal?: AbortSignal;
}

/**
 * The one write path for every verification (TOTP, recovery code, WebAuthn assertion), and for
 * every other place that checks a factor (`verifyFactorForUser`). Plain SQL on purpose: it is the
 * hot path, and its statements are the invariants.
 *  - The user row, then the factor row, are locked (`FOR UPDATE`, always in that order, so no
 *    deadlock), so all gateways' attempts on one user serialize: per-factor and account-wide
 *    lockout counting is exact (invariant 4) and the single-use compare-and-set runs under it
 *    (invariant 1).
 *  - The decision (order of checks, what counts, when to lock) is core's pure `decideVerification`.
 *  - The attempt id is the idempotency key (invariant 3), bound to the whole request by an HMAC of
 *    the user, kind, resolved factor and credential. A recorded attempt is looked up under the
 *    locks before the credential is checked: the same request gets the recorded outcome
 *    (`replayed: true`, audited `verify.replayed`) within 10 minutes — an accepted outcome only
 *    while its factor is unchanged, active and unlocked —, anything else is refused
 *    (ATTEMPT_ID_REUSED / ATTEMPT_ID_EXPIRED). The insert is `ON CONFLICT DO NOTHING` as the
 *    backstop for the same id used concurrently for two users.
 *  - The state change, the attempt and its audit events commit together (invariant 7).
 */
export async function runVerification(options: VerificationRequest): Promise<VerificationResult> {
  // Retrying after a lost or doubtful commit is safe: if it did commit, the attempt row is there
  // and the retry returns that outcome instead of evaluating the code again.
  const { fast } = options;
  // The application's lockout policy (console-set overrides on the deployment's): a cache lookup.
  const policy = await lockoutPolicyFor(options.deps, options.application, options.signal);
  return withDatabaseRetry(
    options.deps,
    async (deadline) => {
      if (fast !== undefined) {
        const result = await tryFastVerification({
          deadline,
          deps: options.deps,
          policy,
          applicationId: options.application.id,
          attemptId: options.attemptId,
          externalUserId: options.externalUserId,
          factorId: options.factorId,
          kind: options.kind,
          credential: options.credential,
          fast,
        });
        if (result !== null) return result;
      }
      return runVerificationOnce(options, policy, deadline, false);
    },
    options.signal,
  );
}

/**
 * Decides what a recorded attempt means for this request (or throws). A rejected outcome may be
 * handed out again whatever happened since (it grants nothing); an accepted one only while the
 * factor it was decided on is still the one this request resolves to, active and unlocked.
 */
function judgeRecorded(options: {
  deps: ServiceDeps;
  request: VerificationRequest;
  recorded: AttemptRow;
  current: { factor: LockedFactor; account: AccountState } | null;
  now: Date;
}): void {
  const { recorded, current, request, now } = options;
  if (recorded.factor_id === null) throw new HoldfastError('ATTEMPT_ID_EXPIRED', 'this attempt id can no longer be replayed; use a fresh attempt id');
  const comparison = compareAttemptRequest(
    options.deps.keyring,
    { keyId: recorded.request_key_id, hash: recorded.request_hash },
    { kind: request.kind, externalUserId: request.externalUserId, factorId: recorded.factor_id, credential: request.credential },
  );
  if (comparison === 'different') {
    throw new HoldfastError('ATTEMPT_ID_REUSED', 'this attempt id was already used for a different request; use a fresh attempt id');
  }
  if (comparison === 'unknown' || now.getTime() - recorded.created_at.getTime() > attemptReplayWindowMs) {
    throw new HoldfastError('ATTEMPT_ID_EXPIRED', 'this attempt id is older than 10 minutes; use a fresh attempt id');
  }
  if (recorded.outcome === 'accepted') {
    const isUnchanged =
      current !== null && current.factor.id === recorded.factor_id && refusalBeforeCheck({ factor: current.factor, account: current.account, now }) === null;
    if (!isUnchanged) {
      throw new HoldfastError('ATTEMPT_ID_EXPIRED', 'the factor of this attempt was revoked, replaced or locked since; use a fresh attempt id');
    }
  }
}

async function replayRecorded(options: {
  sql: SqlClient;
  deps: ServiceDeps;
  request: VerificationRequest;
  recorded: AttemptRow;
  current: { factor: LockedFactor; account: AccountState } | null;
  now: Date;
}): Promise<VerificationResult> {
  judgeRecorded(options);
  const { deps, recorded, request } = options;
  await writeAuditEvent(options.sql, {
    type: 'verify.replayed',
    gatewayId: deps.gateway.id,
    region: deps.gateway.region,
    applicationId: request.application.id,
    userId: recorded.user_id,
    factorId: recorded.factor_id,
    attemptId: recorded.attempt_id,
    detail: { kind: request.kind, outcome: recorded.outcome, decidedAt: recorded.created_at.toISOString() },
  });
  return toResult(recorded, true);
}

async function runVerificationOnce(options: VerificationRequest, policy: LockoutPolicy, deadline: number, isSecondTry: boolean): Promise<VerificationResult> {
  const { deps, application, attemptId } = options;
  try {
    return await withTransaction(deps.db.pool, deadline, async (sql) => {
      const now = deps.clock();
      // User first, then factor: the one lock order (factors.unlock uses it too).
      const account = await lockAccount(sql, { applicationId: application.id, externalUserId: options.externalUserId });
      const factor = await lockFactor(sql, { userId: account.id, kind: options.kind, factorId: options.factorId });

      const recorded = await findAttempt(sql, application.id, attemptId);
      if (recorded !== null) {
        // The row may come from a commit whose sync-replication wait was cancelled (committed here,
        // not yet on the standby): this transaction's own commit (its audit row) waits for the
        // standby, which then has that row too.
        return replayRecorded({ sql, deps, request: options, recorded, current: { factor, account }, now });
      }

      let check: CheckOutcome | null = null;
      // A locked account or factor, or an inactive factor, is refused before its check runs.
      if (refusalBeforeCheck({ factor, account, now }) === null) {
        const result = await options.check({ sql, factor, now });
        check = result.isMatch ? { isMatch: true, isFirstUse: await result.consume() } : result;
      }
      const decision = decideVerification({ factor, account, check, policy, now });

      if (decision.reason === null) {
        await sql.query('UPDATE factors SET failed_count = 0, last_used_at = $2 WHERE id = $1', [factor.id, now]);
      } else if (decision.countsTowardLockout) {
        await sql.query('UPDATE factors SET failed_count = $2, locked_until = $3 WHERE id = $1', [
          factor.id,
          decision.factor.failedCount,
          decision.factor.lockedUntil,
        ]);
      }
      if (decision.account.failedCount !== account.failedCount || decision.account.lockedUntil !== account.lockedUntil) {
        await sql.query('UPDATE users SET failed_count = $2, locked_until = $3 WHERE id = $1', [
          account.id,
          decision.account.failedCount,
          decision.account.lockedUntil,
        ]);
      }

      const requestHash = hashAttemptRequest(deps.keyring, {
        kind: options.kind,
        externalUserId: options.externalUserId,
        factorId: factor.id,
        credential: options.credential,
      });
      const inserted = await sql.query<AttemptRow>(
        `INSERT INTO verification_attempts (id, application_id, attempt_id, request_hash, request_key_id, user_id, factor_id, outcome, reason, gateway_id, region, created_at)
         VALUES ($12, $1, $2, $3, $4, $5, $6, $7::attempt_outcome, $8, $9, $10, $11)
         ON CONFLICT (application_id, attempt_id) DO NOTHING
         RETURNING ${attemptColumns}`,
        [
          application.id,
          attemptId,
          requestHash.hash,
          requestHash.keyId,
          factor.userId,
          factor.id,
          decision.reason === null ? 'accepted' : 'rejected',
          decision.reason,
          deps.gateway.id,
          deps.gateway.region,
          now,
          // Time-ordered: the primary key index takes each insert at its right edge (issue 9, scale).
          timeOrderedUuid({ now, random: deps.random }),
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
        type: decision.reason === null ? 'verify.accepted' : 'verify.rejected',
        detail: { kind: options.kind, ...(decision.reason === null ? {} : { reason: decision.reason }) },
      });
      if (decision.factorLock !== null) {
        await writeAuditEvent(sql, {
          ...audit,
          type: 'factor.locked',
          detail: { kind: options.kind, failedCount: decision.factor.failedCount, lockedUntil: decision.factorLock.lockedUntil.toISOString() },
        });
      }
      if (decision.accountLock !== null) {
        await writeAuditEvent(sql, {
          ...audit,
          type: 'account.locked',
          detail: { kind: options.kind, failedCount: decision.account.failedCount, lockedUntil: decision.accountLock.lockedUntil.toISOString() },
        });
      }
      return toResult(attempt, false);
    });
  } catch (error) {
    // The same attempt id was recorded concurrently for another user or factor (the locks did not
    // serialize us): run once more, which finds the row under the locks and judges it.
    if (error instanceof AttemptAlreadyRecorded) {
      if (isSecondTry) throw new HoldfastError('INTERNAL', 'attempt record vanished', { cause: error });
      return runVerificationOnce(options, policy, deadline, true);
    }
    // The user or factor is gone (revoked, deleted): a recorded accepted outcome is never handed
    // out for it; a different request under the same id is still called a reuse.
    if (error instanceof HoldfastError && error.category === 'not_found') {
      const recorded = await findAttempt(deps.db.pool, application.id, attemptId);
      if (recorded !== null) {
        return withTransaction(deps.db.pool, deadline, (sql) => replayRecorded({ sql, deps, request: options, recorded, current: null, now: deps.clock() }));
      }
    }
    throw error;
  }
}

interface AccountState {
  id: string;
  failedCount: number;
  lockedUntil: Date | null;
}

/** The user row, locked for the transaction: account-wide counting serializes on it. */
async function lockAccount(sql: SqlClient, where: { applicationId: string; externalUserId: string }): Promise<AccountState> {
  const { rows } = await sql.query<{ id: string; failed_count: number; locked_until: Date | null }>(
    'SELECT id, failed_count, locked_until FROM users WHERE application_id = $1 AND external_id = $2 FOR UPDATE',
    [where.applicationId, where.externalUserId],
  );
  const row = rows[0];
  if (row === undefined) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
  return { id: row.id, failedCount: row.failed_count, lockedUntil: row.locked_until };
}

interface LockedFactorRow extends FactorSecretColumns {
  user_id: string;
  id: string;
  status: FactorStatus;
  failed_count: number;
  locked_until: Date | null;
}

/** The user's factor of this kind (the active one first), locked; the same choice `findFactorState` makes. */
async function lockFactor(sql: SqlClient, where: { userId: string; kind: VerifiedFactorKind; factorId: string | null }): Promise<LockedFactor> {
  const { rows } = await sql.query<LockedFactorRow>(
    `SELECT f.user_id, f.id, f.status::text AS status, f.failed_count, f.locked_until,
            t.secret_enc, t.algorithm::text AS algorithm, t.digits, t.period, t.last_step::text AS last_step,
            w.credential_id, w.public_key, w.sign_count::text AS sign_count, w.transports
       FROM factors f
       LEFT JOIN totp_factors t ON t.factor_id = f.id
       LEFT JOIN webauthn_credentials w ON w.factor_id = f.id
      WHERE f.user_id = $1 AND f.kind = $2::factor_kind AND f.status <> 'revoked'
        AND ($3::uuid IS NULL OR f.id = $3::uuid)
      ORDER BY (f.status = 'active') DESC, f.created_at DESC
      LIMIT 1
      FOR UPDATE OF f`,
    [where.userId, where.kind, where.factorId],
  );
  const row = rows[0];
  if (row === undefined) {
    throw new HoldfastError('FACTOR_NOT_FOUND', `the user has no ${factorModuleFor(where.kind).noun}${where.factorId === null ? '' : ' with this id'}`);
  }
  return {
    userId: row.user_id,
    id: row.id,
    status: row.status,
    failedCount: row.failed_count,
    lockedUntil: row.locked_until,
    ...factorSecretsOf(row),
  };
}
