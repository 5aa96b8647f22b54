import type { AuditEventType } from '@holdfast/core';
import type { Prisma } from './generated/prisma/client';
import type { PrismaDb, PrismaTx } from './client';

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

/** Call it with the transaction client that makes the state change, so both commit or neither does. */
export async function writeAuditEvent(db: PrismaTx | PrismaDb, event: AuditEventInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      type: event.type,
      gatewayId: event.gatewayId,
      region: event.region,
      applicationId: event.applicationId ?? null,
      userId: event.userId ?? null,
      factorId: event.factorId ?? null,
      attemptId: event.attemptId ?? null,
      detail: event.detail ?? {},
    },
  });
}
