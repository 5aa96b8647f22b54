import { auditInsertFrom, type SqlClient } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

/** What the expiry compare-and-set needs to know about the transaction (read before, under no lock). */
export interface ExpirablePush {
  id: string;
  applicationId: string;
  userId: string;
  attemptId: string;
}

/**
 * Writes `pending → expired` for one transaction whose expiry has passed BY THE DATABASE'S CLOCK,
 * with its `push.expired` audit row, in ONE statement (so both commit or neither: invariant 7).
 * The guard is core's `isPushTransitionAllowed` for `to = 'expired'` in SQL: `status = 'pending'
 * AND expires_at <= now()` — a live transaction is never expired, a decided one never changed, and
 * of two gateways expiring the same row only one update matches (its audit row is the only one).
 * Returns whether this call wrote it. Used by beginPush (the user's stale pending row, inside its
 * transaction) and getPushStatus (a pending row read past its expiry).
 */
export async function expirePushTransaction(sql: Pick<SqlClient, 'query'>, deps: Pick<ServiceDeps, 'gateway'>, push: ExpirablePush): Promise<boolean> {
  const values: unknown[] = [push.id];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${String(values.length)}`;
  };
  const audit = auditInsertFrom(
    {
      type: 'push.expired',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: push.applicationId,
      userId: push.userId,
      attemptId: push.attemptId,
      detail: { transactionId: push.id, reason: 'expired' },
    },
    param,
    'expired',
  );
  const { rows } = await sql.query<{ count: string }>(
    `WITH expired AS (
       UPDATE push_transactions SET status = 'expired', reason = 'expired', decided_at = now()
        WHERE id = $1 AND status = 'pending' AND expires_at <= now()
        RETURNING id
     ), audited AS (${audit} RETURNING 1)
     SELECT count(*)::text AS count FROM audited`,
    values,
  );
  return rows[0]?.count === '1';
}

/**
 * Retention (services/maintenance/retention.ts): a push transaction is kept while it can matter —
 * pending and live, inside a fatigue window (≤ 24 h), or answerable by its attempt id — and
 * deleted once it is decided (or long expired) and older than the retention cutoff `$1`.
 */
export const pushTransactionRetentionWhere = "created_at < $1 AND (status <> 'pending' OR expires_at < $1)";
/** A pairing token is dead once expired (≤ 10 minutes after it was made), redeemed or not. */
export const pushPairingTokenRetentionWhere = 'expires_at < $1';
