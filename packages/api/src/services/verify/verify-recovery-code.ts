import { normalizeRecoveryCode, recoveryCodeLookupTag, recoveryCodesFactor, refusalBeforeCheck, type RecoveryCodeEvaluation } from '@holdfast/core';
import { withDatabaseRetry, type SqlClient } from '@holdfast/db';
import type { FactorStatus } from '@holdfast/validators';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

const noMatch: RecoveryCodeEvaluation = { isMatch: false, reason: 'invalid_code' };

/** scrypt against the candidates of the user's active sets that carry this guess's lookup tag. */
async function matchRecoveryCode(
  sql: Pick<SqlClient, 'query'>,
  where: { applicationId: string; externalUserId: string; canonical: string },
): Promise<RecoveryCodeEvaluation> {
  const sets = await sql.query<{ id: string }>(
    `SELECT f.id FROM factors f JOIN users u ON u.id = f.user_id
      WHERE u.application_id = $1 AND u.external_id = $2 AND f.kind = 'recovery_codes' AND f.status = 'active'`,
    [where.applicationId, where.externalUserId],
  );
  for (const set of sets.rows) {
    // Only the codes with this guess's tag (rows from before tags existed have none).
    const candidates = await sql.query<{ id: string; salt: Buffer; hash: Buffer }>(
      `SELECT id, salt, hash FROM recovery_codes
        WHERE factor_id = $1 AND used_at IS NULL AND (lookup_tag = $2 OR lookup_tag IS NULL)`,
      [set.id, recoveryCodeLookupTag({ setId: set.id, code: where.canonical })],
    );
    const match = await recoveryCodesFactor.evaluate({ code: where.canonical, candidates: candidates.rows });
    if (match.isMatch) return match;
  }
  return noMatch;
}

/**
 * Whether hashing can be skipped: the account or the recovery-code set is locked or inactive, or
 * the attempt id is already recorded — the verification transaction will then refuse or replay
 * without looking at the code. One cheap read (no lock); the transaction decides again under its
 * locks, so a stale answer here only costs (or saves) one scrypt, never a wrong decision.
 */
async function isHashingPointless(
  sql: Pick<SqlClient, 'query'>,
  where: { applicationId: string; externalUserId: string; attemptId: string; now: Date },
): Promise<boolean> {
  const { rows } = await sql.query<{
    account_failed_count: number;
    account_locked_until: Date | null;
    status: FactorStatus | null;
    failed_count: number | null;
    locked_until: Date | null;
    is_recorded: boolean;
  }>(
    `SELECT u.failed_count AS account_failed_count, u.locked_until AS account_locked_until,
            f.status::text AS status, f.failed_count, f.locked_until,
            EXISTS (SELECT 1 FROM verification_attempts a WHERE a.application_id = $1 AND a.attempt_id = $3) AS is_recorded
       FROM users u
       LEFT JOIN LATERAL (
         SELECT status, failed_count, locked_until FROM factors
          WHERE user_id = u.id AND kind = 'recovery_codes' AND status <> 'revoked'
          ORDER BY (status = 'active') DESC, created_at DESC LIMIT 1
       ) f ON true
      WHERE u.application_id = $1 AND u.external_id = $2`,
    [where.applicationId, where.externalUserId, where.attemptId],
  );
  const row = rows[0];
  // Unknown user or no set: the transaction says which (USER_NOT_FOUND / FACTOR_NOT_FOUND).
  if (row === undefined || row.status === null || row.failed_count === null) return true;
  if (row.is_recorded) return true;
  const refusal = refusalBeforeCheck({
    factor: { status: row.status, failedCount: row.failed_count, lockedUntil: row.locked_until },
    account: { failedCount: row.account_failed_count, lockedUntil: row.account_locked_until },
    now: where.now,
  });
  return refusal !== null;
}

/**
 * Recovery codes are stored as scrypt hashes, deliberately slow to compute. A short lookup tag
 * narrows a guess to (almost always) at most one stored code. The matching is done
 * BEFORE the transaction, so no row lock or pooled connection is held while scrypt runs (under a
 * burst — e.g. the backlog after a failover — holding them starved every other request). Inside
 * the transaction only the compare-and-set on `used_at IS NULL` decides, so a code still works
 * exactly once. A locked account or set costs no scrypt at all: a cheap read runs first.
 * Codes are accepted whatever their case, spaces and dashes (core `normalizeRecoveryCode`).
 */
export async function verifyRecoveryCode(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  attemptId: string;
  externalUserId: string;
  code: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const { deps } = options;
  const canonical = normalizeRecoveryCode(options.code);
  const where = { applicationId: options.application.id, externalUserId: options.externalUserId };
  let evaluation: RecoveryCodeEvaluation | null = noMatch;
  if (canonical !== null) {
    evaluation = await withDatabaseRetry(
      deps,
      async () =>
        (await isHashingPointless(deps.db.pool, { ...where, attemptId: options.attemptId, now: deps.clock() }))
          ? null
          : matchRecoveryCode(deps.db.pool, { ...where, canonical }),
      options.signal,
    );
  }
  return runVerification({
    ...options,
    factorId: null,
    kind: recoveryCodesFactor.kind,
    // The canonical form: `abcde fghjk` and `ABCDE-FGHJK` are the same request.
    credential: canonical ?? options.code,
    check: async ({ sql, factor, now }) => {
      // Skipped above but the lock ended in between (rare): match now, under the lock.
      const found = evaluation ?? (canonical === null ? noMatch : await matchRecoveryCode(sql, { ...where, canonical }));
      if (!found.isMatch) return found;
      const matchId = found.codeId;
      return {
        isMatch: true,
        consume: async () => {
          // Bound to the locked factor: a code of a set replaced meanwhile does not count.
          const cas = await sql.query('UPDATE recovery_codes SET used_at = $3 WHERE id = $1 AND factor_id = $2 AND used_at IS NULL', [matchId, factor.id, now]);
          return cas.rowCount === 1;
        },
      };
    },
  });
}
