import { adminPasswordNeedsRehash, adminSessionExpiresAt, hashAdminPassword, HoldfastError, timeOrderedUuid, verifyAdminPassword } from '@holdfast/core';
import { generateToken, hashToken, withTransaction } from '@holdfast/db';
import type { AdminFactorKind } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { writeStandaloneAuditEvent } from '../audit/write-standalone-audit-event';
import { issueAdminToken } from './admin-tokens';
import { adminPasswordGate } from './password-gate';
import { loadSystemApplication } from './system-application';

/**
 * Per-account lockout (issue 13), counted in `admin_accounts` so it holds across gateway processes
 * and restarts: 5 wrong passwords in a row lock the account for 15 minutes (then 5 more tries).
 * A locked account answers like a wrong password (ADMIN_SIGN_IN_FAILED); the audit row says why.
 * The flood shield (per-address buckets) still applies in front of this.
 */
export const adminLockout = { maxFailures: 5, lockMs: 15 * 60_000 } as const;

interface AccountRow {
  id: string;
  email: string;
  password_hash: string;
  user_id: string;
  locked_until: Date | null;
  disabled_at: Date | null;
}

export interface AdminSignInStarted {
  pendingToken: string;
  expiresAt: Date;
  enrolledFactors: AdminFactorKind[];
  mustEnroll: boolean;
}

/** The one answer for unknown email, wrong password and disabled account: the same code, message and work. */
const signInFailed = (): HoldfastError =>
  new HoldfastError('ADMIN_SIGN_IN_FAILED', 'the email or password is not right (after too many failed tries the account also waits a while)');

/**
 * Step 1 of admin sign-in: the password. On success, a PENDING session (`hfp_`, 10 minutes) that
 * only the second factor (or, the first time, enrolling one) can turn into a session — the password
 * alone never signs anyone in. Every outcome costs exactly one scrypt derivation (an unknown or
 * disabled account is checked against a dummy), under the process's gate of 2 at once.
 */
export async function signInAdmin(options: { deps: ServiceDeps; email: string; password: string; signal?: AbortSignal }): Promise<AdminSignInStarted> {
  const { deps } = options;
  const { rows } = await deps.db.pool.query<AccountRow>(
    'SELECT id, email, password_hash, user_id, locked_until, disabled_at FROM admin_accounts WHERE email = $1',
    [options.email],
  );
  const account = rows[0];
  const now = deps.clock();
  // Take the attempt BEFORE deriving (one statement, every gateway): at most `maxFailures` guesses
  // can ever be in flight or spent per lock period, however many arrive at once. Checking the
  // count only after a slow derivation would let a burst of concurrent guesses all pass an "is it
  // locked?" read — and a lock that refused only the right guess would name it.
  let isReserved = false;
  if (account !== undefined && account.disabled_at === null) {
    const { rowCount } = await deps.db.pool.query(
      `UPDATE admin_accounts SET failed_sign_in_count = failed_sign_in_count + 1
        WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) AND failed_sign_in_count < $3`,
      [account.id, now, adminLockout.maxFailures],
    );
    isReserved = rowCount === 1;
  }
  // Every outcome costs one derivation: unknown, disabled and locked accounts against a dummy.
  const isMatch = await adminPasswordGate.run(() => verifyAdminPassword(options.password, isReserved && account !== undefined ? account.password_hash : null));

  const fail = async (reason: string): Promise<never> => {
    // Unknown emails are recorded without the typed email (it may be a mistyped password). The
    // caller gets the same answer whatever the reason — a locked account included, or the lock
    // would tell which emails are admins.
    await writeStandaloneAuditEvent({
      deps,
      db: deps.db.pool,
      event: {
        type: 'admin.sign_in_failed',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        userId: account?.user_id ?? null,
        detail: { reason, ...(account === undefined ? {} : { adminId: account.id, email: account.email }) },
      },
    });
    throw signInFailed();
  };

  if (account === undefined) return fail('unknown_email');
  if (account.disabled_at !== null) return fail('disabled');
  if (!isReserved) return fail('locked');
  if (!isMatch) {
    // The attempt was counted when reserved; the one that finds the count at the limit sets the
    // lock and restarts the count for the next period.
    const { rows: counted } = await deps.db.pool.query<{ locked_until: Date | null }>(
      `UPDATE admin_accounts
          SET locked_until = CASE WHEN failed_sign_in_count >= $2 THEN $3::timestamptz ELSE locked_until END,
              failed_sign_in_count = CASE WHEN failed_sign_in_count >= $2 THEN 0 ELSE failed_sign_in_count END
        WHERE id = $1 RETURNING locked_until`,
      [account.id, adminLockout.maxFailures, new Date(now.getTime() + adminLockout.lockMs)],
    );
    const lockedUntil = counted[0]?.locked_until ?? null;
    return fail(lockedUntil !== null && lockedUntil.getTime() > now.getTime() ? 'wrong_password_locked' : 'wrong_password');
  }

  const system = await loadSystemApplication(deps);
  const { token, tokenHash } = issueAdminToken('pending');
  const sessionId = timeOrderedUuid({ now, random: deps.random });
  const pendingTimes = { createdAt: now, lastSeenAt: now, mfaAt: null, stepUpAt: null, revokedAt: null };
  const expiresAt = adminSessionExpiresAt(pendingTimes);
  const started = await withTransaction(deps.db.pool, null, async (sql) => {
    // Compare-and-set: a lock set by another gateway since our read wins over this password.
    const { rowCount } = await sql.query(
      `UPDATE admin_accounts SET failed_sign_in_count = 0
        WHERE id = $1 AND disabled_at IS NULL AND (locked_until IS NULL OR locked_until <= $2)`,
      [account.id, now],
    );
    if (rowCount !== 1) return null;
    const { rows: factors } = await sql.query<{ kind: string; status: string }>(
      `SELECT kind::text AS kind, status::text AS status FROM factors WHERE user_id = $1 AND status NOT IN ('pending', 'revoked')`,
      [account.user_id],
    );
    const enrolledFactors = (['totp', 'webauthn'] as const).filter((kind) => factors.some((factor) => factor.kind === kind && factor.status === 'active'));
    // First sign-in: no bound factor at all (a locked or suspended one still counts, so losing a
    // factor never turns the account back into a first enrollment that a password alone could do).
    const mustEnroll = factors.length === 0;
    let enrollmentLinkId: string | null = null;
    if (mustEnroll) {
      // The existing enrollment services work on an enrollment session; this one is internal
      // (its tokens are random and never handed out) and lives as long as the pending sign-in.
      const { rows: links } = await sql.query<{ id: string }>(
        `INSERT INTO enrollment_links (id, application_id, user_id, token_hash, expires_at, redeemed_at, session_hash, session_expires_at)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $4) RETURNING id`,
        [system.id, account.user_id, hashToken(generateToken()), expiresAt, now, hashToken(generateToken())],
      );
      enrollmentLinkId = links[0]?.id ?? null;
    }
    await sql.query(`INSERT INTO admin_sessions (id, token_hash, admin_id, created_at, last_seen_at, enrollment_link_id) VALUES ($1, $2, $3, $4, $4, $5)`, [
      sessionId,
      tokenHash,
      account.id,
      now,
      enrollmentLinkId,
    ]);
    return { enrolledFactors, mustEnroll };
  });
  if (started === null) return fail('locked');

  if (adminPasswordNeedsRehash(account.password_hash)) {
    // Stronger parameters than the stored hash's: re-hash now that we know the password.
    const upgraded = await adminPasswordGate.run(() => hashAdminPassword(options.password, deps.random));
    await deps.db.pool.query('UPDATE admin_accounts SET password_hash = $2 WHERE id = $1 AND password_hash = $3', [
      account.id,
      upgraded,
      account.password_hash,
    ]);
  }
  return { pendingToken: token, expiresAt, ...started };
}

/** Audit helper shared by the second-factor steps. */
export async function auditAdminSignInFailed(options: {
  deps: ServiceDeps;
  adminId: string;
  email: string;
  userId: string;
  reason: string;
  detail?: Record<string, string | null>;
}): Promise<void> {
  const { deps } = options;
  await writeStandaloneAuditEvent({
    deps,
    db: deps.db.pool,
    event: {
      type: 'admin.sign_in_failed',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      userId: options.userId,
      detail: { reason: options.reason, adminId: options.adminId, email: options.email, ...options.detail },
    },
  });
}
