import { HoldfastError } from '@holdfast/core';
import { z } from 'zod';
import type { ServiceDeps } from '../../../deps';
import { visibleApplication } from './admin-user-detail';

export interface AdminUserListPage {
  users: Array<{ userId: string; createdAt: string; factorCount: number; isLocked: boolean }>;
  nextCursor: string | null;
}

const userCursor = z.uuid();

/**
 * `admin.users.list` (users.read): one application's users whose own id starts with `query`, in id
 * order, a bounded page at a time. The cursor is the last row's internal id (a UUID, so it fits
 * the contract's 64 characters whatever the application's ids look like); the next page starts
 * after that user's external id, inside the same application only. A hidden (canary / system) or
 * unknown application lists nobody.
 */
export async function listAdminUsers(options: {
  deps: ServiceDeps;
  applicationId: string;
  query: string;
  limit: number;
  cursor: string | null;
}): Promise<AdminUserListPage> {
  const { deps } = options;
  if (options.cursor !== null && !userCursor.safeParse(options.cursor).success) throw new HoldfastError('BAD_REQUEST', 'not a cursor this list handed out');
  const application = await visibleApplication(deps.db.pool, options.applicationId);
  if (application === null) return { users: [], nextCursor: null };
  const now = deps.clock();
  // starts_with, not LIKE: the application's ids may contain % and _.
  const { rows } = await deps.db.pool.query<{ id: string; external_id: string; created_at: Date; factor_count: number; is_locked: boolean }>(
    `SELECT u.id, u.external_id, u.created_at,
            (SELECT count(*)::int FROM factors f WHERE f.user_id = u.id AND f.status <> 'revoked' AND f.kind <> 'bypass') AS factor_count,
            (COALESCE(u.locked_until > $4, false)
              OR EXISTS (SELECT 1 FROM factors f WHERE f.user_id = u.id AND f.status <> 'revoked' AND f.locked_until > $4)) AS is_locked
       FROM users u
      WHERE u.application_id = $1 AND starts_with(u.external_id, $2)
        AND ($3::uuid IS NULL OR u.external_id > (SELECT c.external_id FROM users c WHERE c.id = $3::uuid AND c.application_id = $1))
      ORDER BY u.external_id
      LIMIT $5`,
    [application.id, options.query, options.cursor, now, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return {
    users: page.map((row) => ({ userId: row.external_id, createdAt: row.created_at.toISOString(), factorCount: row.factor_count, isLocked: row.is_locked })),
    nextCursor: rows.length > options.limit && last !== undefined ? last.id : null,
  };
}
