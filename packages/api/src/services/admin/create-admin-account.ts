import { hashAdminPassword, HoldfastError, timeOrderedUuid, type Clock, type RandomSource } from '@holdfast/core';
import { withTransaction, writeAuditEvent, type Database } from '@holdfast/db';
import type { AdminRole } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { adminPasswordGate } from './password-gate';
import { adminExternalUserId, loadSystemApplication } from './system-application';

/**
 * Makes an admin account (the CLI's `holdfast admin create`, the launcher's demo owner): the row, its
 * user in the system application (where its second factor will live: it has none, so the first
 * sign-in must enroll one) and `admin.created`, in one transaction. The password is hashed with
 * core's scrypt and never stored or logged otherwise. Email already taken → ALREADY_ENROLLED.
 */
export async function createAdminAccount(options: {
  deps: Pick<ServiceDeps, 'gateway'> & { db: Database; random: RandomSource; clock: Clock };
  email: string;
  name: string;
  role: AdminRole;
  password: string;
  /** Who made it: `cli` (an operator on the host) or an admin's id. */
  createdBy: string;
}): Promise<{ id: string; email: string; name: string; role: AdminRole }> {
  const { deps } = options;
  const system = await loadSystemApplication(deps);
  const passwordHash = await adminPasswordGate.run(() => hashAdminPassword(options.password, deps.random));
  const id = timeOrderedUuid({ now: deps.clock(), random: deps.random });
  try {
    await withTransaction(deps.db.pool, null, async (sql) => {
      const { rows } = await sql.query<{ id: string }>('INSERT INTO users (id, application_id, external_id) VALUES (gen_random_uuid(), $1, $2) RETURNING id', [
        system.id,
        adminExternalUserId(id),
      ]);
      const userId = rows[0]?.id;
      if (userId === undefined) throw new HoldfastError('INTERNAL', 'the admin user was not created');
      await sql.query('INSERT INTO admin_accounts (id, email, name, role, password_hash, user_id) VALUES ($1, $2, $3, $4::admin_role, $5, $6)', [
        id,
        options.email,
        options.name,
        options.role,
        passwordHash,
        userId,
      ]);
      await writeAuditEvent(sql, {
        type: 'admin.created',
        gatewayId: deps.gateway.id,
        region: deps.gateway.region,
        applicationId: system.id,
        userId,
        detail: { adminId: id, email: options.email, name: options.name, role: options.role, createdBy: options.createdBy },
      });
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === '23505') throw new HoldfastError('ALREADY_ENROLLED', `an admin with the email ${options.email} already exists`);
    throw error;
  }
  return { id, email: options.email, name: options.name, role: options.role };
}
