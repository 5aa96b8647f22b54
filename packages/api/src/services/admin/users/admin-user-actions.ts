import { HoldfastError } from '@holdfast/core';
import type { AdminUserDetail } from '@holdfast/validators';
import type { ServiceDeps } from '../../../deps';
import { createEnrollmentLink } from '../../enrollment/create-enrollment-link';
import { revokeFactor } from '../../factors/revoke-factor';
import { unlockFactors, type UnlockLockState } from '../../factors/unlock-factors';
import { writeAdminActionAudit } from '../admin-audit';
import type { AdminPrincipal } from '../admin-principal';
import { loadAdminUserDetail, visibleApplication, type VisibleApplication } from './admin-user-detail';

// The console's user actions reuse the relying application's own services (the same locks, the
// same factor/enrollment audit events and webhooks), run with `by: 'admin'`, and add the
// `admin.action` row — who, what, target, before and after — through the services'
// `inTransaction` hook, so it commits with the change or not at all (invariant 7).

interface UserRef {
  applicationId: string;
  externalUserId: string;
}

/** Hidden (canary / system) and unknown applications answer exactly like an unknown user. */
async function requireApplication(deps: ServiceDeps, applicationId: string): Promise<VisibleApplication> {
  const application = await visibleApplication(deps.db.pool, applicationId);
  if (application === null) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
  return application;
}

/** The user as the console shows it once the change has committed. */
async function detailAfter(deps: ServiceDeps, ref: UserRef): Promise<AdminUserDetail> {
  const user = await loadAdminUserDetail(deps.db.pool, { ...ref, now: deps.clock() });
  if (user === null) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
  return user;
}

function lockJson(state: UnlockLockState): { failedCount: number; lockedUntil: string | null } {
  return { failedCount: state.failedCount, lockedUntil: state.lockedUntil?.toISOString() ?? null };
}

/**
 * `admin.users.unlock` (users.unlock, step-up): clears the account's and one factor's (or every
 * factor's) failure counters and locks, with the relying application's unlock service.
 */
export async function adminUnlockUser(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  externalUserId: string;
  factorId: string | null;
  signal?: AbortSignal;
}): Promise<{ unlockedFactorIds: string[]; accountUnlocked: boolean; user: AdminUserDetail }> {
  const { deps, admin } = options;
  const application = await requireApplication(deps, options.applicationId);
  const result = await unlockFactors({
    deps,
    application,
    externalUserId: options.externalUserId,
    factorId: options.factorId,
    by: 'admin',
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    inTransaction: async (sql, change) => {
      await writeAdminActionAudit({
        deps,
        db: sql,
        admin,
        action: 'users.unlock',
        target: options.factorId === null ? `user:${change.userId}` : `factor:${options.factorId}`,
        before: { account: lockJson(change.before.account), factors: change.before.factors.map((f) => ({ id: f.id, kind: f.kind, ...lockJson(f) })) },
        // Everything the unlock looked at is clear afterwards (already-clear rows were left as they were).
        after: {
          account: { failedCount: 0, lockedUntil: null },
          factors: change.before.factors.map((f) => ({ id: f.id, kind: f.kind, failedCount: 0, lockedUntil: null })),
          unlockedFactorIds: change.unlockedFactorIds,
          accountUnlocked: change.accountUnlocked,
        },
        applicationId: application.id,
        userId: change.userId,
      });
    },
  });
  return { ...result, user: await detailAfter(deps, { applicationId: application.id, externalUserId: options.externalUserId }) };
}

/**
 * `admin.users.revokeFactor` (users.revoke_factor, step-up): the relying application's revoke — it
 * stops verifying at once on every gateway (status read under the row lock; factor lists
 * invalidated by the status change's NOTIFY). Only a factor of this user of this application.
 */
export async function adminRevokeFactor(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  externalUserId: string;
  factorId: string;
}): Promise<{ user: AdminUserDetail }> {
  const { deps, admin } = options;
  const application = await requireApplication(deps, options.applicationId);
  await revokeFactor({
    deps,
    application,
    externalUserId: options.externalUserId,
    factorId: options.factorId,
    by: 'admin',
    inTransaction: async (tx, change) => {
      await writeAdminActionAudit({
        deps,
        db: tx,
        admin,
        action: 'users.revoke_factor',
        target: `factor:${change.factorId}`,
        before: { factor: { id: change.factorId, kind: change.kind, status: change.statusBefore } },
        after: { factor: { id: change.factorId, kind: change.kind, status: 'revoked' } },
        applicationId: application.id,
        userId: change.userId,
      });
    },
  });
  return { user: await detailAfter(deps, { applicationId: application.id, externalUserId: options.externalUserId }) };
}

/**
 * `admin.users.sendEnrollmentLink` (users.send_enrollment_link): a one-time enrollment link for an
 * existing user, made by the relying application's service (only the token's hash is stored; a new
 * link ends the user's older links and sessions). The URL is returned once for the admin to pass
 * on; the trail records the link's id and expiry, never the token.
 */
export async function adminSendEnrollmentLink(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  externalUserId: string;
  ttlSeconds: number;
}): Promise<{ url: string; expiresAt: string }> {
  const { deps, admin } = options;
  const application = await requireApplication(deps, options.applicationId);
  // An admin sends links to the application's users; making users is the application's business.
  const { rows } = await deps.db.pool.query('SELECT 1 FROM users WHERE application_id = $1 AND external_id = $2', [application.id, options.externalUserId]);
  if (rows.length === 0) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
  const link = await createEnrollmentLink({
    deps,
    application,
    externalUserId: options.externalUserId,
    ttlSeconds: options.ttlSeconds,
    inTransaction: async (tx, change) => {
      await writeAdminActionAudit({
        deps,
        db: tx,
        admin,
        action: 'users.send_enrollment_link',
        target: `user:${change.userId}`,
        before: { liveLinkIds: change.supersededLinkIds },
        after: { linkId: change.linkId, expiresAt: change.expiresAt.toISOString(), supersededLinkIds: change.supersededLinkIds },
        applicationId: application.id,
        userId: change.userId,
      });
    },
  });
  return { url: link.url, expiresAt: link.expiresAt.toISOString() };
}

/** `admin.users.get` (users.read): null when the application (or a hidden one) has no such user. */
export async function getAdminUser(options: { deps: ServiceDeps; applicationId: string; externalUserId: string }): Promise<{ user: AdminUserDetail | null }> {
  const { deps } = options;
  return { user: await loadAdminUserDetail(deps.db.pool, { applicationId: options.applicationId, externalUserId: options.externalUserId, now: deps.clock() }) };
}
