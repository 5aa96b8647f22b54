import { findMatchingRecoveryCode, normalizeRecoveryCode } from '@holdfast/core';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { withDatabaseRetry } from '../retry/with-database-retry';
import { runVerification } from './run-verification';
import type { VerificationResult } from './verification-result';

/**
 * Recovery codes are stored as scrypt hashes, deliberately slow to compute. The matching is done
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
  const matchId =
    canonical === null
      ? null
      : await withDatabaseRetry(deps, async () => {
          const unused = await deps.db.pool.query<{ id: string; salt: Buffer; hash: Buffer }>(
            `SELECT rc.id, rc.salt, rc.hash FROM recovery_codes rc
               JOIN factors f ON f.id = rc.factor_id JOIN users u ON u.id = f.user_id
              WHERE u.application_id = $1 AND u.external_id = $2 AND f.kind = 'recovery_codes' AND f.status = 'active' AND rc.used_at IS NULL`,
            [options.application.id, options.externalUserId],
          );
          return findMatchingRecoveryCode({ code: canonical, candidates: unused.rows });
        }, options.signal);
  return runVerification({
    ...options,
    factorId: null,
    kind: 'recovery_codes',
    check: ({ sql, factor, now }) => {
      if (matchId === null) return Promise.resolve({ isMatch: false, reason: 'invalid_code' });
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
