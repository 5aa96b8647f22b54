import type { AuditEventType } from '@holdfast/core';
import type { Prisma } from './generated/prisma/client';
import type { PrismaDb, PrismaTx } from './client';
import type { SqlClient } from './sql';

export interface AuditEventInput {
  type: AuditEventType;
  gatewayId: string;
  region: string;
  applicationId?: string | null;
  userId?: string | null;
  factorId?: string | null;
  attemptId?: string | null;
  /** Never put a secret here: the trail is exported and shown to operators. */
  detail?: Prisma.InputJsonObject;
}

/** The one INSERT for audit events, shared by the Prisma and the plain-SQL write paths. */
function auditInsert(event: AuditEventInput): { text: string; values: unknown[] } {
  return {
    text: `INSERT INTO audit_events (type, gateway_id, region, application_id, user_id, factor_id, attempt_id, detail)
           VALUES ($1, $2, $3, $4::uuid, $5::uuid, $6::uuid, $7, $8::jsonb)`,
    values: [
      event.type,
      event.gatewayId,
      event.region,
      event.applicationId ?? null,
      event.userId ?? null,
      event.factorId ?? null,
      event.attemptId ?? null,
      JSON.stringify(event.detail ?? {}),
    ],
  };
}

/** Call it with the transaction that makes the state change, so both commit or neither does (invariant 7). */
export async function writeAuditEvent(db: PrismaTx | PrismaDb | SqlClient, event: AuditEventInput): Promise<void> {
  const { text, values } = auditInsert(event);
  if ('$executeRawUnsafe' in db) await db.$executeRawUnsafe(text, ...values);
  else await db.query(text, values);
}
