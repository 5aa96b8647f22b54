import { HoldfastError } from '@holdfast/core';
import type { ServiceDeps } from '../../deps';

/** The built-in "Holdfast admin console" application (migration 20261201000000_admin): admins are its users. */
export interface SystemApplication {
  id: string;
  name: string;
  failMode: 'secure' | 'safe';
}

let known: { pool: unknown; application: SystemApplication } | null = null;

/** Read once per process (per pool): the row is made by the migration and never changes id. */
export async function loadSystemApplication(deps: Pick<ServiceDeps, 'db'>): Promise<SystemApplication> {
  if (known?.pool === deps.db.pool) return known.application;
  const { rows } = await deps.db.pool.query<{ id: string; name: string; fail_mode: 'secure' | 'safe' }>(
    'SELECT id, name, fail_mode::text AS fail_mode FROM applications WHERE is_system',
  );
  const row = rows[0];
  if (row === undefined) throw new HoldfastError('INTERNAL', 'the admin console application is missing (migrations not run?)');
  const application = { id: row.id, name: row.name, failMode: row.fail_mode };
  known = { pool: deps.db.pool, application };
  return application;
}

/** The admin's user in the system application is known by this external id (no personal data). */
export function adminExternalUserId(adminId: string): string {
  return `admin:${adminId}`;
}

/**
 * Admin passkeys are scoped to the admin console's origin (gateway env `HOLDFAST_ADMIN_ORIGIN`):
 * RP ID = its host name, the one allowed origin = it. Applied by every gateway at start, so the
 * deployment's setting wins over the migration's localhost default. Idempotent.
 */
export async function applyAdminOrigin(options: { sql: { query: (text: string, values: unknown[]) => Promise<unknown> }; origin: string }): Promise<void> {
  const url = new URL(options.origin);
  await options.sql.query(
    `UPDATE applications SET rp_id = $1, allowed_origins = ARRAY[$2]::text[]
      WHERE is_system AND (rp_id IS DISTINCT FROM $1 OR allowed_origins IS DISTINCT FROM ARRAY[$2]::text[])`,
    [url.hostname, url.origin],
  );
}
