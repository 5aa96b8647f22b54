import { validateLockoutPolicy, type LockoutPolicy } from '@holdfast/core';
import { withDatabaseRetry } from '@holdfast/db';
import { cached } from '../../cache/cached';
import type { ServiceDeps } from '../../deps';

/** An application's lockout overrides; null = the deployment's value (HOLDFAST_LOCKOUT_*). */
export interface LockoutOverrides {
  threshold: number | null;
  lockSeconds: number | null;
  hardLimit: number | null;
  accountHardLimit: number | null;
}

export const noLockoutOverrides: LockoutOverrides = { threshold: null, lockSeconds: null, hardLimit: null, accountHardLimit: null };

/** The deployment's policy with the application's overrides on top; throws BAD_REQUEST when the result is not a valid policy. */
export function mergeLockoutPolicy(deployment: LockoutPolicy, overrides: LockoutOverrides): LockoutPolicy {
  const policy: LockoutPolicy = {
    threshold: overrides.threshold ?? deployment.threshold,
    lockSeconds: overrides.lockSeconds ?? deployment.lockSeconds,
    hardLimit: overrides.hardLimit ?? deployment.hardLimit,
    ...(overrides.accountHardLimit !== null
      ? { accountHardLimit: overrides.accountHardLimit }
      : deployment.accountHardLimit === undefined
        ? {}
        : { accountHardLimit: deployment.accountHardLimit }),
  };
  validateLockoutPolicy(policy);
  return policy;
}

interface OverrideRow {
  lockout_threshold: number | null;
  lockout_seconds: number | null;
  lockout_hard_limit: number | null;
  account_lockout_threshold: number | null;
}

export const lockoutOverrideColumns = 'lockout_threshold, lockout_seconds, lockout_hard_limit, account_lockout_threshold';

export function lockoutOverridesOf(row: OverrideRow): LockoutOverrides {
  return {
    threshold: row.lockout_threshold,
    lockSeconds: row.lockout_seconds,
    hardLimit: row.lockout_hard_limit,
    accountHardLimit: row.account_lockout_threshold,
  };
}

/**
 * The lockout policy verifications of this application are counted with. The relying app's hot
 * path already has the overrides (read with the API key's cached application row); other callers
 * (hosted page, enrollment step-up, push answers) read them through the metadata cache (tag
 * `application:<id>`, so a change in the console reaches every gateway at once through the
 * applications table's NOTIFY trigger).
 * A stored combination that no longer validates against the deployment's values (an operator
 * lowered HOLDFAST_LOCKOUT_HARD_LIMIT below an application's threshold) falls back to the
 * deployment's policy rather than failing logins.
 */
export async function lockoutPolicyFor(
  deps: ServiceDeps,
  application: { id: string; lockout?: LockoutOverrides | undefined },
  signal?: AbortSignal,
): Promise<LockoutPolicy> {
  const overrides =
    application.lockout ??
    (await cached(deps, `lockout:${application.id}`, async () => {
      const { rows } = await withDatabaseRetry(
        deps,
        () => deps.db.pool.query<OverrideRow>(`SELECT ${lockoutOverrideColumns} FROM applications WHERE id = $1`, [application.id]),
        signal,
      );
      const row = rows[0];
      return {
        value: row === undefined ? noLockoutOverrides : lockoutOverridesOf(row),
        tags: [`application:${application.id}`],
        isCacheable: row !== undefined,
      };
    }));
  try {
    return mergeLockoutPolicy(deps.lockoutPolicy, overrides);
  } catch {
    return deps.lockoutPolicy;
  }
}
