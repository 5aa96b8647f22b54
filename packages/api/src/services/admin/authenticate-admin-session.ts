import { adminSessionState, HoldfastError } from '@holdfast/core';
import { isTransientDatabaseError, withDatabaseRetry } from '@holdfast/db';
import type { AdminAction } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { adminSessionColumns, adminTimesOf, type AdminPrincipal, type AdminSessionRow, type PendingAdminSignIn } from './admin-principal';
import { adminTokenHash } from './admin-tokens';

/** last_seen_at is written at most this often per session (the idle limit is 30 minutes). */
const touchEveryMs = 60_000;
/** overview.read only: how long a session this process verified is trusted while the database is down. */
export const adminOutageGraceMs = 60_000;

const invalid = (): HoldfastError => new HoldfastError('ADMIN_SESSION_INVALID', 'sign in to the admin console again');

/**
 * Sessions this process verified, by token hash (hex), for `overview.read` during a failover only:
 * the live map must keep working while no primary answers. A revocation therefore reaches a
 * gateway that cannot read the database within `adminOutageGraceMs` (documented in ARCHITECTURE.md).
 */
const recentlyVerified = new Map<string, { principal: AdminPrincipal; verifiedAt: number }>();

function remember(key: string, principal: AdminPrincipal, now: number): void {
  recentlyVerified.delete(key);
  recentlyVerified.set(key, { principal, verifiedAt: now });
  // Bounded: the oldest entries go first (Map keeps insertion order).
  while (recentlyVerified.size > 1000) {
    const oldest = recentlyVerified.keys().next();
    if (oldest.done === true) break;
    recentlyVerified.delete(oldest.value);
  }
}

async function readSession(deps: ServiceDeps, tokenHash: Uint8Array, signal?: AbortSignal): Promise<AdminSessionRow | undefined> {
  const { rows } = await withDatabaseRetry(
    deps,
    () =>
      deps.db.pool.query<AdminSessionRow>(
        `SELECT ${adminSessionColumns} FROM admin_sessions s JOIN admin_accounts a ON a.id = s.admin_id WHERE s.token_hash = $1`,
        [tokenHash],
      ),
    signal,
  );
  return rows[0];
}

/**
 * `Bearer hfa_<token>` → the signed-in admin, while the session is active (core adminSessionState:
 * second factor verified, under 12 h old, used within 30 min, not revoked) and the account is not
 * disabled. Everything else — no bearer, an API key, an enrollment session, a pending `hfp_`
 * token, an unknown, expired or revoked session — is ADMIN_SESSION_INVALID.
 */
export async function authenticateAdminSession(options: {
  deps: ServiceDeps;
  bearer: string | null;
  action?: AdminAction;
  /**
   * False: the call is not the admin doing something (the live map refreshing itself), so it does
   * not keep the session from going idle — an unattended console tab must still end at 30 minutes.
   */
  isActivity?: boolean;
  signal?: AbortSignal;
}): Promise<AdminPrincipal> {
  const { deps } = options;
  const tokenHash = adminTokenHash(options.bearer, 'session');
  if (tokenHash === null) throw invalid();
  const key = Buffer.from(tokenHash).toString('hex');
  const now = deps.clock();
  let row: AdminSessionRow | undefined;
  try {
    row = await readSession(deps, tokenHash, options.signal);
  } catch (error) {
    const recent = recentlyVerified.get(key);
    if (
      options.action === 'overview.read' &&
      isTransientDatabaseError(error) &&
      recent !== undefined &&
      now.getTime() - recent.verifiedAt < adminOutageGraceMs
    ) {
      return recent.principal;
    }
    throw error;
  }
  if (row === undefined || row.disabled_at !== null) {
    recentlyVerified.delete(key);
    throw invalid();
  }
  const times = adminTimesOf(row);
  if (adminSessionState(times, now) !== 'active') {
    recentlyVerified.delete(key);
    throw invalid();
  }
  if (options.isActivity !== false && now.getTime() - row.last_seen_at.getTime() >= touchEveryMs) {
    // GREATEST: another gateway (with a clock a little ahead) may have touched it meanwhile.
    await deps.db.pool.query('UPDATE admin_sessions SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id = $1 AND revoked_at IS NULL', [row.session_id, now]);
    times.lastSeenAt = now;
  }
  const principal: AdminPrincipal = {
    sessionId: row.session_id,
    adminId: row.admin_id,
    email: row.email,
    name: row.name,
    role: row.role,
    userId: row.user_id,
    times,
  };
  remember(key, principal, now.getTime());
  return principal;
}

/**
 * A pending sign-in (`hfp_<token>`, from the input, not the Authorization header: the console
 * holds it only between the password and the factor screens) → its session, while pending.
 */
export async function authenticatePendingSignIn(options: { deps: ServiceDeps; pendingToken: string; signal?: AbortSignal }): Promise<PendingAdminSignIn> {
  const { deps } = options;
  const tokenHash = adminTokenHash(options.pendingToken, 'pending');
  if (tokenHash === null) throw invalid();
  const row = await readSession(deps, tokenHash, options.signal);
  if (row === undefined || row.disabled_at !== null || adminSessionState(adminTimesOf(row), deps.clock()) !== 'mfa_pending') throw invalid();
  return {
    sessionId: row.session_id,
    adminId: row.admin_id,
    email: row.email,
    name: row.name,
    role: row.role,
    userId: row.user_id,
    createdAt: row.created_at,
    enrollmentLinkId: row.enrollment_link_id,
    challengeId: row.challenge_id,
  };
}

/** Forget a signed-out session at once in this process (other processes: it is read fresh there). */
export function forgetAdminSession(bearer: string | null): void {
  const tokenHash = adminTokenHash(bearer, 'session');
  if (tokenHash !== null) recentlyVerified.delete(Buffer.from(tokenHash).toString('hex'));
}
