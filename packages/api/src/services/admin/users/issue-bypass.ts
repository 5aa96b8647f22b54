import { bypassCodeSaltBytes, bypassFactor, generateBypassCode, hashBypassCode, HoldfastError, readRandomBytes, timeOrderedUuid } from '@holdfast/core';
import { withTransaction, writeAuditEvent } from '@holdfast/db';
import type { AdminUserDetail } from '@holdfast/validators';
import type { ServiceDeps } from '../../../deps';
import { writeAdminActionAudit } from '../admin-audit';
import type { AdminPrincipal } from '../admin-principal';
import { loadAdminUserDetail, visibleApplication } from './admin-user-detail';

/** What a bypass factor is called wherever a label is shown (the console, the audit trail). */
const bypassLabel = 'Bypass code';

interface EarlierBypass {
  id: string;
  expires_at: Date | null;
  used_at: Date | null;
}

/**
 * `admin.bypass.issue` (users.issue_bypass: owner and admin, after a step-up — adminProcedure): a
 * one-time code for a user who lost their factors, shown once to the admin, who reads it to them.
 * In one transaction, under the user's row lock (the verification path's first lock, so an issue
 * and a verification of the same user serialize):
 *  - every earlier bypass factor of the user (used or not) is revoked: a new bypass ends the old;
 *  - a new factor of kind `bypass` with its code row: only a salted HMAC of the 60-bit code
 *    (core `hashBypassCode`), its expiry and the issuing admin are stored;
 *  - `bypass.issued` (detail: the admin, expiry, the ended factors; never the code) — which is also
 *    the application's webhook event, so it can tell its user (invariant 7: told iff committed);
 *  - `admin.action` with before/after (the live bypass's existence, never a code).
 * Canary and system applications' users, and unknown users, are USER_NOT_FOUND.
 */
export async function issueBypass(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  externalUserId: string;
  ttlMinutes: number;
}): Promise<{ code: string; expiresAt: string; user: AdminUserDetail }> {
  const { deps, admin } = options;
  const application = await visibleApplication(deps.db.pool, options.applicationId);
  if (application === null) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');

  const code = generateBypassCode({ random: deps.random });
  const salt = readRandomBytes({ random: deps.random, size: bypassCodeSaltBytes });
  const hash = hashBypassCode({ code, salt });

  const issued = await withTransaction(deps.db.pool, null, async (sql) => {
    const now = deps.clock();
    const users = await sql.query<{ id: string }>('SELECT id FROM users WHERE application_id = $1 AND external_id = $2 FOR UPDATE', [
      application.id,
      options.externalUserId,
    ]);
    const user = users.rows[0];
    if (user === undefined) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');

    const earlier = await sql.query<EarlierBypass>(
      `SELECT f.id, b.expires_at, b.used_at FROM factors f LEFT JOIN bypass_codes b ON b.factor_id = f.id
        WHERE f.user_id = $1 AND f.kind = 'bypass' AND f.status <> 'revoked'
        ORDER BY f.created_at
        FOR UPDATE OF f`,
      [user.id],
    );
    const endedIds = earlier.rows.map((row) => row.id);
    if (endedIds.length > 0) await sql.query("UPDATE factors SET status = 'revoked' WHERE id = ANY($1::uuid[])", [endedIds]);

    const factorId = timeOrderedUuid({ now, random: deps.random });
    const expiresAt = new Date(now.getTime() + options.ttlMinutes * 60_000);
    await sql.query(`INSERT INTO factors (id, user_id, kind, label, status, created_at) VALUES ($1, $2, $3::factor_kind, $4, 'active', $5)`, [
      factorId,
      user.id,
      bypassFactor.kind,
      bypassLabel,
      now,
    ]);
    await sql.query('INSERT INTO bypass_codes (factor_id, salt, hash, expires_at, issued_by_admin_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      factorId,
      Buffer.from(salt),
      Buffer.from(hash),
      expiresAt,
      admin.adminId,
      now,
    ]);

    // The bypass that could still be used before this one (an unused, unexpired one), for before/after.
    const live = earlier.rows.find((row) => row.used_at === null && row.expires_at !== null && row.expires_at.getTime() > now.getTime());
    await writeAuditEvent(sql, {
      type: 'bypass.issued',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: application.id,
      userId: user.id,
      factorId,
      detail: { kind: bypassFactor.kind, adminId: admin.adminId, expiresAt: expiresAt.toISOString(), endedFactorIds: endedIds },
    });
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin,
      action: 'users.issue_bypass',
      target: `user:${user.id}`,
      before: { bypass: live === undefined ? null : { factorId: live.id, expiresAt: live.expires_at?.toISOString() ?? null } },
      after: { bypass: { factorId, expiresAt: expiresAt.toISOString() }, endedFactorIds: endedIds },
      applicationId: application.id,
      userId: user.id,
    });
    return { expiresAt };
  });

  const user = await loadAdminUserDetail(deps.db.pool, { applicationId: application.id, externalUserId: options.externalUserId, now: deps.clock() });
  if (user === null) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
  return { code, expiresAt: issued.expiresAt.toISOString(), user };
}
