import { authenticatorNameFor } from '@holdfast/core';
import { withTransaction, type Database, type SqlClient } from '@holdfast/db';
import { factorKind, factorStatus, type AdminFactor, type AdminUserDetail, type FactorKind } from '@holdfast/validators';

/** A pool or a transaction's client: the reads here run in either. */
export type AdminUsersDb = Pick<SqlClient, 'query'>;

/** The recent-attempts read's time limit (see recentAttempts; its window, 30 days, is in the SQL). */
const recentAttemptsStatementTimeoutMs = 1000;

function isStatementTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '57014';
}

/** An application the console may show: never the health canary's nor the admin console's own. */
export interface VisibleApplication {
  id: string;
  name: string;
  failMode: 'secure' | 'safe';
}

/**
 * The application, unless it is hidden (is_canary / is_system) or unknown: callers answer as if the
 * user did not exist, so the console can neither read nor change the canary's user or an admin's
 * own second factors through the users pages (those are admin.admins.* and the CLI's).
 */
export async function visibleApplication(db: AdminUsersDb, applicationId: string): Promise<VisibleApplication | null> {
  const { rows } = await db.query<{ id: string; name: string; fail_mode: 'secure' | 'safe' }>(
    'SELECT id, name, fail_mode::text AS fail_mode FROM applications WHERE id = $1 AND NOT is_canary AND NOT is_system',
    [applicationId],
  );
  const row = rows[0];
  return row === undefined ? null : { id: row.id, name: row.name, failMode: row.fail_mode };
}

/** A lock is reported only while it is in force: one in the past is no lock (core isFactorLocked). */
function lockInForce(lockedUntil: Date | null, now: Date): string | null {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime() ? lockedUntil.toISOString() : null;
}

/** Kinds this build's vocabulary does not know (a newer gateway's) are shown as unknown, never a 500. */
function knownKind(kind: string | null): FactorKind | null {
  const parsed = factorKind.safeParse(kind);
  return parsed.success ? parsed.data : null;
}

/**
 * What a passkey lives on, from what the authenticator reported at registration (model by AAGUID,
 * transports, whether it syncs) — never the credential id or public key.
 */
function passkeyDevice(row: { aaguid: string | null; transports: string[] | null; backup_eligible: boolean | null }): string {
  const name = row.aaguid === null ? null : authenticatorNameFor(row.aaguid);
  const parts = [name ?? 'Passkey (model not reported)'];
  if (row.transports !== null && row.transports.length > 0) parts.push(row.transports.join(', '));
  if (row.backup_eligible === true) parts.push('synced');
  return parts.join(' · ');
}

/** An unused, unexpired bypass code (migration 20261202000000_bypass_codes): when and until when, never the code. */
async function activeBypass(db: AdminUsersDb, userId: string, now: Date): Promise<AdminUserDetail['bypass']> {
  const { rows } = await db.query<{ created_at: Date; expires_at: Date }>(
    `SELECT b.created_at, b.expires_at FROM factors f JOIN bypass_codes b ON b.factor_id = f.id
      WHERE f.user_id = $1 AND f.kind = 'bypass' AND f.status <> 'revoked' AND b.used_at IS NULL AND b.expires_at > $2
      ORDER BY b.created_at DESC LIMIT 1`,
    [userId, now],
  );
  const row = rows[0];
  return row === undefined ? null : { issuedAt: row.created_at.toISOString(), expiresAt: row.expires_at.toISOString() };
}

interface AttemptRow {
  created_at: Date;
  kind: string | null;
  outcome: 'accepted' | 'rejected';
  reason: string | null;
}

/**
 * The user's last 10 verifications of the last 30 days. verification_attempts has no user index
 * (every index costs the verification hot path, issue 9), so the planner walks created_at
 * backwards until it has 10 of this user's rows: for a user with fewer than 10, that was the
 * whole table, on every admin.users.get and every users mutation's answer. So the walk is bounded
 * twice: by time (30 days, the database's clock) and by a 1 s statement_timeout set LOCAL in a
 * transaction of its own (it must not leak to the pooled connection's next user). On that timeout
 * the list is empty rather than the page failing: the user's locks and factors — what the helpdesk
 * acts on — matter more than the history, which the audit search still shows.
 */
async function recentAttempts(pool: Database['pool'], options: { userId: string; applicationId: string }): Promise<AttemptRow[]> {
  try {
    return await withTransaction(pool, null, async (client) => {
      await client.query(`SET LOCAL statement_timeout = ${String(recentAttemptsStatementTimeoutMs)}`);
      const { rows } = await client.query<AttemptRow>(
        `SELECT va.created_at, f.kind::text AS kind, va.outcome::text AS outcome, va.reason
           FROM verification_attempts va LEFT JOIN factors f ON f.id = va.factor_id
          WHERE va.user_id = $1 AND va.application_id = $2
            AND va.created_at > now() - interval '30 days'
          ORDER BY va.created_at DESC, va.id DESC LIMIT 10`,
        [options.userId, options.applicationId],
      );
      return rows;
    });
  } catch (error) {
    // A timed-out walk (57014, query_canceled) leaves an empty list; anything else is a real failure.
    if (isStatementTimeout(error)) return [];
    throw error;
  }
}

/**
 * The console's view of one user (admin.users.get and the answer of every users mutation): the
 * account's lock and push suspension, the factors with their locks and devices, an unused bypass
 * code's existence, the last verifications. Scoped by application AND the application's user id —
 * a user id of one application never reaches another's user. Null when the application is hidden
 * or has no such user. Never a secret: no TOTP seed, credential key, subscription or code.
 */
export async function loadAdminUserDetail(
  pool: Database['pool'],
  options: { applicationId: string; externalUserId: string; now: Date },
): Promise<AdminUserDetail | null> {
  const db: AdminUsersDb = pool;
  const application = await visibleApplication(db, options.applicationId);
  if (application === null) return null;
  const users = await db.query<{
    id: string;
    external_id: string;
    created_at: Date;
    failed_count: number;
    locked_until: Date | null;
    push_suspended_until: Date | null;
  }>(
    `SELECT id, external_id, created_at, failed_count, locked_until, push_suspended_until FROM users
      WHERE application_id = $1 AND external_id = $2`,
    [application.id, options.externalUserId],
  );
  const user = users.rows[0];
  if (user === undefined) return null;
  const { now } = options;

  // Bypass codes are not factors the console lists: their existence is `bypass` below.
  const factors = await db.query<{
    id: string;
    kind: string;
    label: string;
    status: string;
    created_at: Date;
    last_used_at: Date | null;
    failed_count: number;
    locked_until: Date | null;
    aaguid: string | null;
    transports: string[] | null;
    backup_eligible: boolean | null;
  }>(
    `SELECT f.id, f.kind::text AS kind, f.label, f.status::text AS status, f.created_at, f.last_used_at, f.failed_count, f.locked_until,
            w.aaguid, w.transports, w.backup_eligible
       FROM factors f LEFT JOIN webauthn_credentials w ON w.factor_id = f.id
      WHERE f.user_id = $1 AND f.kind <> 'bypass'
      ORDER BY f.created_at, f.id`,
    [user.id],
  );
  const adminFactors: AdminFactor[] = [];
  for (const row of factors.rows) {
    const kind = knownKind(row.kind);
    const status = factorStatus.safeParse(row.status);
    if (kind === null || !status.success) continue;
    adminFactors.push({
      id: row.id,
      kind,
      label: row.label,
      status: status.data,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at?.toISOString() ?? null,
      failedCount: row.failed_count,
      lockedUntil: lockInForce(row.locked_until, now),
      // A paired push device IS its factor, named by its label (issue 11).
      device: kind === 'webauthn' ? passkeyDevice(row) : kind === 'push' ? row.label : null,
    });
  }

  const attempts = await recentAttempts(pool, { userId: user.id, applicationId: application.id });

  return {
    applicationId: application.id,
    applicationName: application.name,
    userId: user.external_id,
    createdAt: user.created_at.toISOString(),
    failedCount: user.failed_count,
    lockedUntil: lockInForce(user.locked_until, now),
    pushSuspendedUntil: lockInForce(user.push_suspended_until, now),
    factors: adminFactors,
    bypass: await activeBypass(db, user.id, now),
    recentAttempts: attempts.map((row) => ({
      at: row.created_at.toISOString(),
      kind: knownKind(row.kind),
      outcome: row.outcome,
      reason: row.reason,
    })),
  };
}
