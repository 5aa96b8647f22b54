import { adminActionNeedsStepUp, canAdmin, hasFreshStepUp, HoldfastError } from '@holdfast/core';
import type { AdminAction } from '@holdfast/validators';
import { auditRefusedAdminAction } from './services/admin/admin-audit';
import { authenticateAdminSession } from './services/admin/authenticate-admin-session';
import type { AdminPrincipal } from './services/admin/admin-principal';
import { publicProcedure, type Context } from './trpc';

export type { AdminPrincipal } from './services/admin/admin-principal';
export { writeAdminActionAudit } from './services/admin/admin-audit';

/**
 * Admin console calls (issue 13): `Authorization: Bearer hfa_<session>`. In order:
 * 1. the session is active (second factor verified, 12 h absolute, 30 min idle, not revoked, account
 *    not disabled) — else ADMIN_SESSION_INVALID (401). A pending `hfp_` token, an API key or an
 *    enrollment session is never an admin session;
 * 2. core `canAdmin(role, action)` — else ADMIN_FORBIDDEN (403);
 * 3. a fresh second factor (5 min) when core `adminActionNeedsStepUp(action)` — else ADMIN_STEP_UP_REQUIRED (403).
 * last_seen_at is touched at most once a minute (never by `overview.read`: the map refreshes itself,
 * which is not the admin being active). For `overview.read` only, a session this process
 * verified within the last 60 s is accepted while the database is unreachable (the live map must
 * work during a failover; a revocation reaches such a gateway within 60 s).
 * Refusals at 2 and 3 are audited (`admin.action` with `refused`); procedures audit what they change
 * with `writeAdminActionAudit` in their own transaction.
 */
/**
 * The session check, told to the gateway's flood shield like an API key's: a refused admin token
 * takes a token from the address's failed-authentication bucket (random `hfa_` guesses cost a
 * lookup each), a working one is remembered so a busy console is never gated.
 */
async function authenticateForShield(ctx: Context, options: Omit<Parameters<typeof authenticateAdminSession>[0], 'deps' | 'bearer'>): Promise<AdminPrincipal> {
  try {
    const admin = await authenticateAdminSession({ deps: ctx.deps, bearer: ctx.bearer, ...options });
    ctx.client?.onApiKeyResult?.(true);
    return admin;
  } catch (error) {
    if (error instanceof HoldfastError && error.code === 'ADMIN_SESSION_INVALID') ctx.client?.onApiKeyResult?.(false);
    throw error;
  }
}

export function adminProcedure(action: AdminAction) {
  return publicProcedure.use(async ({ ctx, next, path, signal }) => {
    // Watching the map is not activity: its snapshots and stream re-checks never extend the idle limit.
    const admin = await authenticateForShield(ctx, { action, isActivity: action !== 'overview.read', ...(signal === undefined ? {} : { signal }) });
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
  const admin = await authenticateForShield(ctx, signal === undefined ? {} : { signal });
  return next({ ctx: { admin } });
});
