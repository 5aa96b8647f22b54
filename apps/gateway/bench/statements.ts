// The SQL the floors run, shared by the bench (floors a and b) and the reference server (c), so
// the reference does exactly the database work floor (b) measures. Every target runs them as named
// prepared statements, as the gateway's hot path does: a floor that re-parses and re-plans a
// six-part CTE on every call would flatter whatever is compared with it.

/** Floor (a): the single-use compare-and-set alone (invariant 1), one round trip. $1 factor id, $2 step. */
export const casStatement = 'UPDATE totp_factors SET last_step = $2 WHERE factor_id = $1 AND last_step < $2';

/**
 * Floor (b): every row the gateway writes for an accepted TOTP verification
 * (packages/api/src/services/verify/run-verification.ts and packages/db/src/audit.ts), as ONE
 * statement: the CAS, the factor's success update, the user row (account counter reset — the
 * gateway locks it `FOR UPDATE`; touching it here keeps the floor's row work at least the
 * gateway's), the attempt row (idempotent on its id, invariant 3) and the audit row (invariant 7),
 * each step only if the one before it happened, so a lost CAS writes nothing.
 * $1 factor id, $2 step, $3 now, $4 application id, $5 attempt id, $6 request hash, $7 request key
 * id, $8 gateway id, $9 region. Returns one row when accepted.
 */
export const durableVerificationStatement = `WITH cas AS (
  UPDATE totp_factors SET last_step = $2 WHERE factor_id = $1 AND last_step < $2 RETURNING factor_id
), factor AS (
  UPDATE factors SET failed_count = 0, last_used_at = $3 FROM cas WHERE factors.id = cas.factor_id RETURNING factors.id, factors.user_id
), account AS (
  UPDATE users SET failed_count = 0, locked_until = NULL FROM factor WHERE users.id = factor.user_id RETURNING users.id
), attempt AS (
  INSERT INTO verification_attempts (id, application_id, attempt_id, request_hash, request_key_id, user_id, factor_id, outcome, reason, gateway_id, region, created_at)
  SELECT gen_random_uuid(), $4, $5, $6, $7, factor.user_id, factor.id, 'accepted'::attempt_outcome, NULL, $8, $9, $3 FROM factor JOIN account ON account.id = factor.user_id
  ON CONFLICT (application_id, attempt_id) DO NOTHING
  RETURNING attempt_id, user_id, factor_id
)
INSERT INTO audit_events (type, gateway_id, region, application_id, user_id, factor_id, attempt_id, detail)
SELECT 'verify.accepted', $8, $9, $4, attempt.user_id, attempt.factor_id, attempt.attempt_id, '{"kind":"totp"}'::jsonb FROM attempt
RETURNING id`;

/** The reference server's one read: the user's active TOTP factor with what the check needs. $1 application id, $2 external user id. */
export const factorReadStatement = `SELECT u.id AS user_id, u.failed_count AS account_failed_count, u.locked_until AS account_locked_until,
       f.id AS factor_id, f.status::text AS status, f.failed_count, f.locked_until,
       t.secret_enc, t.algorithm::text AS algorithm, t.digits, t.period, t.last_step::text AS last_step
  FROM users u
  JOIN factors f ON f.user_id = u.id AND f.kind = 'totp' AND f.status = 'active'
  JOIN totp_factors t ON t.factor_id = f.id
 WHERE u.application_id = $1 AND u.external_id = $2
 LIMIT 1`;
