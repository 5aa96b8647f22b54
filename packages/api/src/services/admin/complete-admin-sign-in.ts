import { adminSessionExpiresAt, adminSessionLimits, HoldfastError } from '@holdfast/core';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import type { AdminFactorKind, AdminRole } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { publicAdmin, type PendingAdminSignIn } from './admin-principal';
import { issueAdminToken } from './admin-tokens';

export interface AdminSignedIn {
  sessionToken: string;
  expiresAt: Date;
  admin: { id: string; email: string; name: string; role: AdminRole };
}

/**
 * The second factor was verified (or first enrolled): the pending session becomes a session under a
 * NEW token (the `hfp_` one stops working: whoever saw it gets nothing), `mfa_at` = now, and
 * `admin.signed_in` is written in the same transaction. Compare-and-set on "still pending", so two
 * factor answers racing for one pending sign-in make one session.
 */
export async function completeAdminSignIn(options: {
  deps: ServiceDeps;
  pending: PendingAdminSignIn;
  factorKind: AdminFactorKind;
  factorId: string;
  attemptId: string | null;
  isFirstEnrollment: boolean;
}): Promise<AdminSignedIn> {
  const { deps, pending } = options;
  const now = deps.clock();
  const { token, tokenHash } = issueAdminToken('session');
  await withTransaction(deps.db.pool, null, async (sql) => {
    const { rowCount } = await sql.query(
      `UPDATE admin_sessions SET token_hash = $2, mfa_at = $3, last_seen_at = GREATEST(last_seen_at, $3), challenge_id = NULL
        WHERE id = $1 AND mfa_at IS NULL AND revoked_at IS NULL AND created_at > $4`,
      [pending.sessionId, tokenHash, now, new Date(now.getTime() - adminSessionLimits.pendingMs)],
    );
    if (rowCount !== 1) throw new HoldfastError('ADMIN_SESSION_INVALID', 'this sign-in has expired or was already finished; sign in again');
    if (pending.enrollmentLinkId !== null) {
      // The internal enrollment session did its one job.
      await sql.query(`UPDATE enrollment_links SET ended_at = $2, ended_reason = 'logged_out' WHERE id = $1 AND ended_at IS NULL`, [
        pending.enrollmentLinkId,
        now,
      ]);
    }
    await writeAuditEvent(sql, {
      type: 'admin.signed_in',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      userId: pending.userId,
      factorId: options.factorId,
      attemptId: options.attemptId,
      detail: {
        adminId: pending.adminId,
        email: pending.email,
        role: pending.role,
        sessionId: pending.sessionId,
        factor: options.factorKind,
        firstEnrollment: options.isFirstEnrollment,
      },
    });
  });
  const expiresAt = adminSessionExpiresAt({ createdAt: pending.createdAt, lastSeenAt: now, mfaAt: now, stepUpAt: null, revokedAt: null });
  return { sessionToken: token, expiresAt, admin: publicAdmin(pending) };
}
