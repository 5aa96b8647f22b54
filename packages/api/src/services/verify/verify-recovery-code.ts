import { normalizeRecoveryCode, recoveryCodeLookupTag, recoveryCodesFactor, type RecoveryCodeEvaluation } from '@holdfast/core';
import { withDatabaseRetry } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

/**
 * Recovery codes are stored as scrypt hashes, deliberately slow to compute. A short lookup tag
 * narrows a guess to (almost always) at most one stored code. The matching is done
 * BEFORE the transaction, so no row lock or pooled connection is held while scrypt runs (under a
 * burst — e.g. the backlog after a failover — holding them starved every other request). Inside
 * the transaction only the compare-and-set on `used_at IS NULL` decides, so a code still works
 * exactly once.
 */
export async function verifyRecoveryCode(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  attemptId: string;
  externalUserId: string;
  code: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const { deps } = options;
  const canonical = normalizeRecoveryCode(options.code);
  const noMatch: RecoveryCodeEvaluation = { isMatch: false, reason: 'invalid_code' };
  const evaluation =
    canonical === null
      ? noMatch
      : await withDatabaseRetry(
          deps,
          async () => {
            const sets = await deps.db.pool.query<{ id: string }>(
              `SELECT f.id FROM factors f JOIN users u ON u.id = f.user_id
              WHERE u.application_id = $1 AND u.external_id = $2 AND f.kind = 'recovery_codes' AND f.status = 'active'`,
              [options.application.id, options.externalUserId],
            );
            for (const set of sets.rows) {
              // Only the codes with this guess's tag (rows from before tags existed have none).
              const candidates = await deps.db.pool.query<{ id: string; salt: Buffer; hash: Buffer }>(
                `SELECT id, salt, hash FROM recovery_codes
                WHERE factor_id = $1 AND used_at IS NULL AND (lookup_tag = $2 OR lookup_tag IS NULL)`,
                [set.id, recoveryCodeLookupTag({ setId: set.id, code: canonical })],
              );
              const match = await recoveryCodesFactor.evaluate({ code: canonical, candidates: candidates.rows });
              if (match.isMatch) return match;
            }
            return noMatch;
          },
          options.signal,
        );
  return runVerification({
    ...options,
    factorId: null,
    kind: recoveryCodesFactor.kind,
    check: ({ sql, factor, now }) => {
      if (!evaluation.isMatch) return Promise.resolve(evaluation);
      const matchId = evaluation.codeId;
      return Promise.resolve({
        isMatch: true,
        consume: async () => {
          // Bound to the locked factor: a code of a set replaced meanwhile does not count.
          const cas = await sql.query('UPDATE recovery_codes SET used_at = $3 WHERE id = $1 AND factor_id = $2 AND used_at IS NULL', [matchId, factor.id, now]);
          return cas.rowCount === 1;
        },
      });
    },
  });
}
