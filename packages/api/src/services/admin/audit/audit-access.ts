import { canAdmin, HoldfastError } from '@holdfast/core';
import type { ServiceDeps } from '../../../deps';
import { authenticateAdminSession } from '../authenticate-admin-session';

/**
 * The periodic re-check of an open admin audit stream: the session still active and still allowed
 * audit.read (a revoked session, an expired one, a role changed to helpdesk all end the stream).
 * The first check of every stream goes through adminProcedure itself (createAdminAuditAccessCaller);
 * this one is the same session and role logic with `isActivity: false`, as the live map's
 * re-checks are: a stream left open in an unattended tab must not keep the session from going idle.
 */
export async function recheckAdminAuditAccess(options: { deps: ServiceDeps; bearer: string | null; signal?: AbortSignal }): Promise<void> {
  const admin = await authenticateAdminSession({
    deps: options.deps,
    bearer: options.bearer,
    action: 'audit.read',
    isActivity: false,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!canAdmin(admin.role, 'audit.read')) throw new HoldfastError('ADMIN_FORBIDDEN', `the ${admin.role} role may not do audit.read`);
}
