import { canAdmin, HoldfastError } from '@holdfast/core';
import type { AdminAuditSearchFilters } from '@holdfast/validators';
import type { ServiceDeps } from '../../../deps';
import type { AdminPrincipal } from '../admin-principal';
import { writeStandaloneAdminAction } from '../admin-audit';
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

/** The admin an audit route was authorised for (createAdminAuditAccessCaller's answer). */
export type AdminAuditReader = Pick<AdminPrincipal, 'adminId' | 'email' | 'role' | 'sessionId'>;

/**
 * Reading the whole trail in bulk leaves a trace (issue 13): an export when it starts (its filters,
 * format and the tree size it is as of), an admin stream when it opens (where it resumes and the
 * tree size then). `admin.action`, action audit.read, standalone (nothing commits with it) and
 * spooled during an outage. Never throws.
 */
export async function auditAdminAuditRead(
  options: { deps: ServiceDeps; admin: AdminAuditReader } & (
    | { route: 'export'; format: string; filters: AdminAuditSearchFilters; treeSize: number }
    | { route: 'stream'; afterLeafIndex: number; since: string | null; treeSize: number }
  ),
): Promise<void> {
  const after =
    options.route === 'export'
      ? { route: 'export', format: options.format, filters: { ...options.filters }, treeSize: options.treeSize }
      : { route: 'stream', afterLeafIndex: options.afterLeafIndex, since: options.since, treeSize: options.treeSize };
  await writeStandaloneAdminAction({ deps: options.deps, admin: options.admin, action: 'audit.read', target: `audit:${options.route}`, after });
}
