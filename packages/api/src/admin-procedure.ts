import { adminActionNeedsStepUp, canAdmin, hasFreshStepUp, HoldfastError } from '@holdfast/core';
import type { AdminAction } from '@holdfast/validators';
import { auditRefusedAdminAction } from './services/admin/admin-audit';
import { authenticateAdminSession } from './services/admin/authenticate-admin-session';
import { publicProcedure } from './trpc';

export type { AdminPrincipal } from './services/admin/admin-principal';
export { writeAdminActionAudit } from './services/admin/admin-audit';

/**
 * Admin console calls (issue 13): `Authorization: Bearer hfa_<session>`. In order:
 * 1. the session is active (second factor verified, 12 h absolute, 30 min idle, not revoked, account
 *    not disabled) — else ADMIN_SESSION_INVALID (401). A pending `hfp_` token, an API key or an
 *    enrollment session is never an admin session;
 * 2. core `canAdmin(role, action)` — else ADMIN_FORBIDDEN (403);
 * 3. a fresh second factor (5 min) when core `adminActionNeedsStepUp(action)` — else ADMIN_STEP_UP_REQUIRED (403).
 * last_seen_at is touched at most once a minute. For `overview.read` only, a session this process
 * verified within the last 60 s is accepted while the database is unreachable (the live map must
 * work during a failover; a revocation reaches such a gateway within 60 s).
 * Refusals at 2 and 3 are audited (`admin.action` with `refused`); procedures audit what they change
 * with `writeAdminActionAudit` in their own transaction.
 */
export function adminProcedure(action: AdminAction) {
  return publicProcedure.use(async ({ ctx, next, path, signal }) => {
    const admin = await authenticateAdminSession({ deps: ctx.deps, bearer: ctx.bearer, action, ...(signal === undefined ? {} : { signal }) });
    const refuse = async (error: HoldfastError): Promise<never> => {
      await auditRefusedAdminAction({ deps: ctx.deps, admin, action, target: path, code: error.code });
      throw error;
    };
    if (!canAdmin(admin.role, action)) {
      await refuse(new HoldfastError('ADMIN_FORBIDDEN', `the ${admin.role} role may not do ${action}`));
    }
    if (adminActionNeedsStepUp(action) && !hasFreshStepUp(admin.times, ctx.deps.clock())) {
      await refuse(new HoldfastError('ADMIN_STEP_UP_REQUIRED', 'confirm it is you (a fresh second factor) before this action'));
    }
    return next({ ctx: { admin } });
  });
}

/** Any signed-in admin, whatever the role (admin.session.*): the session checks of step 1 only. */
export const adminSessionProcedure = publicProcedure.use(async ({ ctx, next, signal }) => {
  const admin = await authenticateAdminSession({ deps: ctx.deps, bearer: ctx.bearer, ...(signal === undefined ? {} : { signal }) });
  return next({ ctx: { admin } });
});
