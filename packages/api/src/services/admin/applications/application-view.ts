import { defaultAccountHardLimit, HoldfastError } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import type { AdminApiKey, AdminApplication } from '@holdfast/validators';
import type { ApplicationPrincipal, ServiceDeps } from '../../../deps';
import { lockoutOverridesOf, mergeLockoutPolicy } from '../../verify/lockout-policy';

type Sql = Pick<SqlClient, 'query'>;

/**
 * The relying applications an admin may see and change: never the health canary's (is_canary) nor
 * the admin console's own (is_system). Every query of this folder filters with this clause, so the
 * two are invisible (list, get) and unchangeable (every write first loads the row through it).
 */
const relyingOnly = 'NOT a.is_canary AND NOT a.is_system';

interface ApplicationRow {
  id: string;
  name: string;
  fail_mode: 'secure' | 'safe';
  created_at: Date;
  rp_id: string;
  rp_name: string;
  allowed_origins: string[];
  user_verification: 'required' | 'preferred';
  callback_urls: string[];
  push_ttl_seconds: number;
  push_number_digits: number;
  push_max_per_window: number;
  push_window_seconds: number;
  push_fraud_suspension_seconds: number;
  lockout_threshold: number | null;
  lockout_seconds: number | null;
  lockout_hard_limit: number | null;
  account_lockout_threshold: number | null;
  webhook_url: string | null;
  webhook_secret_created_at: Date | null;
}

interface KeyRow {
  id: string;
  created_at: Date;
  revoked_at: Date | null;
  /** `revoked_at <= now()` by the database's clock, which wrote revoked_at (manage-api-keys.ts). */
  is_past: boolean | null;
}

/**
 * A key's state at `now`: `expiring` while a rotated key is still honoured (revoked_at in the
 * future). Past by either clock is past — the same rule as authenticate-api-key.ts, so the console
 * never shows `expiring` a key the gateways already refuse.
 */
export function apiKeyView(row: KeyRow, now: Date): AdminApiKey {
  const isPast = row.is_past === true || (row.revoked_at !== null && row.revoked_at.getTime() <= now.getTime());
  const state = row.revoked_at === null ? 'active' : isPast ? 'revoked' : 'expiring';
  return { id: row.id, createdAt: row.created_at.toISOString(), revokedAt: row.revoked_at?.toISOString() ?? null, state };
}

/** The policy the application's verifications are counted with, and what it overrides itself. */
function lockoutView(deps: ServiceDeps, row: ApplicationRow): Pick<AdminApplication, 'lockout' | 'lockoutOverrides'> {
  const overrides = lockoutOverridesOf(row);
  let policy = deps.lockoutPolicy;
  try {
    policy = mergeLockoutPolicy(deps.lockoutPolicy, overrides);
  } catch {
    // An override that no longer fits the deployment's values is not applied (lockout-policy.ts): shown as applied.
  }
  return {
    lockout: {
      factorThreshold: policy.threshold,
      factorLockSeconds: policy.lockSeconds,
      factorHardLimit: policy.hardLimit,
      accountThreshold: policy.accountHardLimit ?? defaultAccountHardLimit,
    },
    lockoutOverrides: {
      factorThreshold: overrides.threshold,
      factorLockSeconds: overrides.lockSeconds,
      factorHardLimit: overrides.hardLimit,
      accountThreshold: overrides.accountHardLimit,
    },
  };
}

/**
 * One relying application as the console shows it, or null when there is none (or it is the canary
 * or the system application). `forUpdate` locks the row: a write path reads "before" under the lock
 * it changes the row with, so two admins' concurrent edits are audited in the order they apply.
 */
export async function loadAdminApplication(options: {
  deps: ServiceDeps;
  sql: Sql;
  applicationId: string;
  forUpdate?: boolean;
}): Promise<AdminApplication | null> {
  const { deps, sql } = options;
  const { rows } = await sql.query<ApplicationRow>(
    `SELECT a.id, a.name, a.fail_mode::text AS fail_mode, a.created_at, a.rp_id, a.rp_name, a.allowed_origins,
            a.user_verification::text AS user_verification, a.callback_urls, a.push_ttl_seconds, a.push_number_digits,
            a.push_max_per_window, a.push_window_seconds, a.push_fraud_suspension_seconds,
            a.lockout_threshold, a.lockout_seconds, a.lockout_hard_limit, a.account_lockout_threshold,
            w.url AS webhook_url, w.secret_created_at AS webhook_secret_created_at
       FROM applications a LEFT JOIN application_webhooks w ON w.application_id = a.id
      WHERE a.id = $1::uuid AND ${relyingOnly}${options.forUpdate === true ? ' FOR UPDATE OF a' : ''}`,
    [options.applicationId],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const keys = await sql.query<KeyRow>(
    'SELECT id, created_at, revoked_at, revoked_at <= now() AS is_past FROM api_keys WHERE application_id = $1::uuid ORDER BY created_at DESC, id',
    [row.id],
  );
  const now = deps.clock();
  return {
    id: row.id,
    name: row.name,
    failMode: row.fail_mode,
    createdAt: row.created_at.toISOString(),
    rpId: row.rp_id,
    rpName: row.rp_name,
    allowedOrigins: row.allowed_origins,
    userVerification: row.user_verification,
    callbackUrls: row.callback_urls,
    push: {
      ttlSeconds: row.push_ttl_seconds,
      numberDigits: row.push_number_digits,
      maxPerWindow: row.push_max_per_window,
      windowSeconds: row.push_window_seconds,
      fraudSuspensionSeconds: row.push_fraud_suspension_seconds,
    },
    ...lockoutView(deps, row),
    apiKeys: keys.rows.map((key) => apiKeyView(key, now)),
    // Never the secret, not even encrypted: it is shown once, when made.
    webhook:
      row.webhook_url === null || row.webhook_secret_created_at === null
        ? null
        : { url: row.webhook_url, secretCreatedAt: row.webhook_secret_created_at.toISOString() },
  };
}

/** As loadAdminApplication, for a write: a missing (or canary / system) application is APPLICATION_NOT_FOUND. */
export async function requireAdminApplication(options: { deps: ServiceDeps; sql: Sql; applicationId: string }): Promise<AdminApplication> {
  const application = await loadAdminApplication({ ...options, forUpdate: true });
  if (application === null) throw new HoldfastError('APPLICATION_NOT_FOUND', 'no such application');
  return application;
}

/** The principal the relying-app webhook services take, for an application the admin acts on. */
export function principalOf(application: AdminApplication): ApplicationPrincipal {
  return { id: application.id, name: application.name, failMode: application.failMode };
}

/** `admin.applications.list` (applications.read): every relying application, oldest first. */
export async function listAdminApplications(options: { deps: ServiceDeps }): Promise<{
  applications: { id: string; name: string; createdAt: string; userCount: number; activeKeyCount: number; hasWebhook: boolean }[];
}> {
  const { deps } = options;
  const { rows } = await deps.db.pool.query<{ id: string; name: string; created_at: Date; user_count: number; active_key_count: number; has_webhook: boolean }>(
    `SELECT a.id, a.name, a.created_at,
            (SELECT count(*)::int FROM users u WHERE u.application_id = a.id) AS user_count,
            (SELECT count(*)::int FROM api_keys k WHERE k.application_id = a.id AND (k.revoked_at IS NULL OR (k.revoked_at > $1 AND k.revoked_at > now()))) AS active_key_count,
            EXISTS (SELECT 1 FROM application_webhooks w WHERE w.application_id = a.id) AS has_webhook
       FROM applications a WHERE ${relyingOnly} ORDER BY a.created_at, a.id`,
    [deps.clock()],
  );
  return {
    applications: rows.map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: row.created_at.toISOString(),
      userCount: row.user_count,
      activeKeyCount: row.active_key_count,
      hasWebhook: row.has_webhook,
    })),
  };
}
