import { HoldfastError } from '@holdfast/core';
import { withDatabaseRetry, withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

export interface UnlockResult {
  /** Factors whose counter or lock was cleared (already clear ones are left alone and not audited). */
  unlockedFactorIds: string[];
  accountUnlocked: boolean;
}

/** A lock state as the unlock found it (under the row locks), before clearing it. */
export interface UnlockLockState {
  failedCount: number;
  lockedUntil: Date | null;
}

/** What a caller auditing the unlock further (the admin console) is told, inside the transaction. */
export interface UnlockChange extends UnlockResult {
  userId: string;
  before: { account: UnlockLockState; factors: Array<UnlockLockState & { id: string; kind: string }> };
}

/**
 * The audited way back from a lock (including a permanent one at the hard limit): the relying
 * application — after it has re-proved who the user is — clears the consecutive-failure counters
 * and locks of one factor (or all of the user's factors) and of the account. Same lock order as
 * the verification write path (user row, then factor rows), so it serializes with verifications
 * instead of deadlocking them. Each change is audited with its before/after state
 * (`factor.unlocked`, `account.unlocked`) in the same transaction (invariant 7).
 */
export async function unlockFactors(options: {
  deps: ServiceDeps;
  application: Pick<ApplicationPrincipal, 'id'>;
  externalUserId: string;
  /** Null: every factor of the user. */
  factorId: string | null;
  signal?: AbortSignal;
  /** Who asks, for the audit trail (default: the relying application). */
  by?: 'application' | 'admin';
  /** Runs in the same transaction after the change (the admin console's `admin.action` audit, invariant 7). */
  inTransaction?: (sql: SqlClient, change: UnlockChange) => Promise<void>;
}): Promise<UnlockResult> {
  const { deps, application } = options;
  const by = options.by ?? 'application';
  return withDatabaseRetry(
    deps,
    (deadline) =>
      withTransaction(deps.db.pool, deadline, async (sql) => {
        const users = await sql.query<{ id: string; failed_count: number; locked_until: Date | null }>(
          'SELECT id, failed_count, locked_until FROM users WHERE application_id = $1 AND external_id = $2 FOR UPDATE',
          [application.id, options.externalUserId],
        );
        const user = users.rows[0];
        if (user === undefined) throw new HoldfastError('USER_NOT_FOUND', 'no such user for this application');
        const factors = await sql.query<{ id: string; kind: string; failed_count: number; locked_until: Date | null }>(
          `SELECT id, kind::text AS kind, failed_count, locked_until FROM factors
            WHERE user_id = $1 AND status <> 'revoked' AND ($2::uuid IS NULL OR id = $2::uuid)
            ORDER BY id
            FOR UPDATE`,
          [user.id, options.factorId],
        );
        if (options.factorId !== null && factors.rows.length === 0) throw new HoldfastError('FACTOR_NOT_FOUND', 'no such factor for this user');

        const audit = { gatewayId: deps.gateway.id, region: deps.gateway.region, applicationId: application.id, userId: user.id };
        const unlockedFactorIds: string[] = [];
        for (const factor of factors.rows) {
          if (factor.failed_count === 0 && factor.locked_until === null) continue;
          await sql.query('UPDATE factors SET failed_count = 0, locked_until = NULL WHERE id = $1', [factor.id]);
          await writeAuditEvent(sql, {
            ...audit,
            type: 'factor.unlocked',
            factorId: factor.id,
            detail: {
              kind: factor.kind,
              by,
              before: { failedCount: factor.failed_count, lockedUntil: factor.locked_until?.toISOString() ?? null },
              after: { failedCount: 0, lockedUntil: null },
            },
          });
          unlockedFactorIds.push(factor.id);
        }
        const accountUnlocked = user.failed_count !== 0 || user.locked_until !== null;
        if (accountUnlocked) {
          await sql.query('UPDATE users SET failed_count = 0, locked_until = NULL WHERE id = $1', [user.id]);
          await writeAuditEvent(sql, {
            ...audit,
            type: 'account.unlocked',
            detail: {
              by,
              before: { failedCount: user.failed_count, lockedUntil: user.locked_until?.toISOString() ?? null },
              after: { failedCount: 0, lockedUntil: null },
            },
          });
        }
        const result = { unlockedFactorIds, accountUnlocked };
        await options.inTransaction?.(sql, {
          ...result,
          userId: user.id,
          before: {
            account: { failedCount: user.failed_count, lockedUntil: user.locked_until },
            factors: factors.rows.map((factor) => ({ id: factor.id, kind: factor.kind, failedCount: factor.failed_count, lockedUntil: factor.locked_until })),
          },
        });
        return result;
      }),
    options.signal,
  );
}
