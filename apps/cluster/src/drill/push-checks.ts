// The database's side of the push story: the drill applications' push transactions and their
// push.* audit rows, read after the cluster is whole again.
import type { PushTransactionStatus } from '@holdfast/core';
import type { Database } from '@holdfast/db';
import type { PushAuditRow, PushTransactionRow } from './push-report';

export async function readPushTransactions(db: Database, applicationIds: string[]): Promise<PushTransactionRow[]> {
  const { rows } = await db.pool.query<{
    id: string;
    application_id: string;
    attempt_id: string;
    status: PushTransactionStatus;
    reason: string | null;
    created_at: Date;
    expires_at: Date;
    decided_at: Date | null;
  }>(
    `SELECT id, application_id, attempt_id, status::text AS status, reason, created_at, expires_at, decided_at
       FROM push_transactions WHERE application_id = ANY($1::uuid[])`,
    [applicationIds],
  );
  return rows.map((r) => ({
    id: r.id,
    applicationId: r.application_id,
    attemptId: r.attempt_id,
    status: r.status,
    reason: r.reason,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    decidedAt: r.decided_at,
  }));
}

export async function readPushAudits(db: Database, applicationIds: string[]): Promise<PushAuditRow[]> {
  const { rows } = await db.pool.query<{
    type: string;
    application_id: string | null;
    attempt_id: string | null;
    transaction_id: string | null;
    gateway_id: string;
    region: string;
  }>(
    `SELECT type, application_id, attempt_id, detail->>'transactionId' AS transaction_id, gateway_id, region
       FROM audit_events WHERE application_id = ANY($1::uuid[]) AND type LIKE 'push.%'`,
    [applicationIds],
  );
  return rows.map((r) => ({
    type: r.type,
    applicationId: r.application_id,
    attemptId: r.attempt_id,
    transactionId: r.transaction_id,
    gatewayId: r.gateway_id,
    region: r.region,
  }));
}

/** decided_at of these transactions now (ISO), to compare after the re-sends. */
export async function readDecidedAt(db: Database, transactionIds: string[]): Promise<Record<string, string | null>> {
  const { rows } = await db.pool.query<{ id: string; decided_at: Date | null }>('SELECT id, decided_at FROM push_transactions WHERE id = ANY($1::uuid[])', [
    transactionIds,
  ]);
  return Object.fromEntries(rows.map((r) => [r.id, r.decided_at?.toISOString() ?? null]));
}
