import { HoldfastError } from '@holdfast/core';
import { withTransaction } from '@holdfast/db';
import type { AdminFactorKind, AdminRole } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import type { AdminPrincipal } from './admin-principal';
import { writeAdminActionAudit } from './admin-audit';

export interface AdminListing {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  createdAt: Date;
  disabledAt: Date | null;
  lockedUntil: Date | null;
  factors: AdminFactorKind[];
}

/** `admin.admins.list` (admins.read): every admin account, with the kinds of second factor it has. */
export async function listAdmins(options: { deps: ServiceDeps }): Promise<{ admins: AdminListing[] }> {
  const { rows } = await options.deps.db.pool.query<{
    id: string;
    email: string;
    name: string;
    role: AdminRole;
    created_at: Date;
    disabled_at: Date | null;
    locked_until: Date | null;
    kinds: string[];
  }>(
    `SELECT a.id, a.email, a.name, a.role::text AS role, a.created_at, a.disabled_at, a.locked_until,
            COALESCE(array_agg(DISTINCT f.kind::text) FILTER (WHERE f.id IS NOT NULL), '{}') AS kinds
       FROM admin_accounts a LEFT JOIN factors f ON f.user_id = a.user_id AND f.status = 'active' AND f.kind IN ('totp', 'webauthn')
      GROUP BY a.id ORDER BY a.created_at`,
  );
  return {
    admins: rows.map((row) => ({
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      createdAt: row.created_at,
      disabledAt: row.disabled_at,
      lockedUntil: row.locked_until,
      factors: (['totp', 'webauthn'] as const).filter((kind) => row.kinds.includes(kind)),
    })),
  };
}

/**
 * `admin.admins.setRole` (admins.write: owners, after a step-up). Audited with before and after in
 * the same transaction. The deployment keeps at least one active owner: the accounts are locked in
 * id order and counted, so two owners demoting each other at once cannot both succeed.
 */
export async function setAdminRole(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  adminId: string;
  role: AdminRole;
}): Promise<{ id: string; role: AdminRole }> {
  const { deps } = options;
  return withTransaction(deps.db.pool, null, async (sql) => {
    const { rows } = await sql.query<{ id: string; role: AdminRole; disabled_at: Date | null }>(
      `SELECT id, role::text AS role, disabled_at FROM admin_accounts WHERE role = 'owner' OR id = $1 ORDER BY id FOR UPDATE`,
      [options.adminId],
    );
    const target = rows.find((row) => row.id === options.adminId);
    if (target === undefined) throw new HoldfastError('USER_NOT_FOUND', 'no such admin');
    const activeOwners = rows.filter((row) => row.role === 'owner' && row.disabled_at === null);
    if (target.role === 'owner' && options.role !== 'owner' && activeOwners.length <= 1) {
      throw new HoldfastError('ADMIN_FORBIDDEN', 'the last owner cannot be demoted; make another owner first');
    }
    if (target.role !== options.role) {
      await sql.query('UPDATE admin_accounts SET role = $2::admin_role WHERE id = $1', [target.id, options.role]);
    }
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin: options.admin,
      action: 'admins.write',
      target: `admin:${target.id}`,
      before: { role: target.role },
      after: { role: options.role },
    });
    return { id: target.id, role: options.role };
  });
}
