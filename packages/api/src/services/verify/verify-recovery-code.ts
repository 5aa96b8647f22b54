import { normalizeRecoveryCode, recoveryCodeLookupTag, recoveryCodesFactor, type RecoveryCodeEvaluation } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
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
 * Recovery codes are stored as scrypt hashes, deliberately slow to compute. A short lookup tag
 * narrows a guess to (almost always) at most one stored code. The two-round-trip path reads the
 * set's unused codes with the rest of the state and hashes BETWEEN its read and its write, so no
 * row lock or pooled connection is held while scrypt runs (under a burst — e.g. the backlog after
 * a failover — holding them starved every other request); the compare-and-set on
 * `used_at IS NULL` in the write decides, so a code still works exactly once. A locked account or
 * set, or a recorded attempt id, costs no scrypt at all. When the locked path has to decide
 * instead (a conflict, a replay, a lock), it reuses that match rather than hashing again under
 * the locks. Codes are accepted whatever their case, spaces and dashes (core `normalizeRecoveryCode`).
 */
export async function verifyRecoveryCode(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  attemptId: string;
  externalUserId: string;
  code: string;
  signal?: AbortSignal;
}): Promise<VerificationResult> {
  const canonical = normalizeRecoveryCode(options.code);
  const where = { applicationId: options.application.id, externalUserId: options.externalUserId };
  // What the two-round-trip path's scrypt found, for the set it read. Codes only ever go from
  // unused to used, so a miss stays a miss and a match is still checked by the compare-and-set.
  let matched: { setId: string; evaluation: RecoveryCodeEvaluation } | null = null;
  return runVerification({
    ...options,
    factorId: null,
    kind: recoveryCodesFactor.kind,
    // The canonical form: `abcde fghjk` and `ABCDE-FGHJK` are the same request.
    credential: canonical ?? options.code,
    fast: {
      readsRecoveryCandidates: true,
      evaluate: async ({ factor, recoveryCandidates, now }) => {
        let evaluation = noMatch;
        if (canonical !== null) {
          const tag = recoveryCodeLookupTag({ setId: factor.id, code: canonical });
          // Only the codes with this guess's tag (rows from before tags existed have none).
          const candidates = recoveryCandidates.filter((c) => c.lookupTag === tag || c.lookupTag === null);
          evaluation = await recoveryCodesFactor.evaluate({ code: canonical, candidates });
        }
        matched = { setId: factor.id, evaluation };
        if (!evaluation.isMatch) return { outcome: evaluation, consume: null };
        const codeId = evaluation.codeId;
        return {
          outcome: { isMatch: true },
          // Bound to the factor read: a code of a set replaced meanwhile does not count.
          consume: (param) => {
            const code = param(codeId);
            return {
              lock: `JOIN recovery_codes rc ON rc.id = ${code}::uuid AND rc.factor_id = f.id AND rc.used_at IS NULL`,
              writes: [`UPDATE recovery_codes SET used_at = ${param(now)}::timestamptz WHERE id = ${code}::uuid AND used_at IS NULL`],
            };
          },
        };
      },
    },
    check: async ({ sql, factor, now }) => {
      const found =
        matched !== null && matched.setId === factor.id
          ? matched.evaluation
          : canonical === null
            ? noMatch
            : await matchRecoveryCode(sql, { ...where, canonical });
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
