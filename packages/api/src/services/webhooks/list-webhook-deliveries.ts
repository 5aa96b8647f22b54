import { HoldfastError } from '@holdfast/core';
import { webhookEvent, type WebhookDeliveryStatus, type WebhookEvent } from '@holdfast/validators';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

export interface WebhookDeliveryLogEntry {
  id: string;
  type: string;
  status: WebhookDeliveryStatus;
  event: WebhookEvent;
  attemptCount: number;
  /** When the next attempt is due (pending deliveries only). */
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  attempts: { attempt: number; startedAt: Date; durationMs: number; statusCode: number | null; error: string | null; gatewayId: string }[];
}

/**
 * The application's delivery log, newest first: each event, its state and every attempt (status
 * code, error, duration). Nothing secret: the bodies carry ids only, and the secret is never read.
 * The cursor is the last entry's position in the audit trail.
 */
export async function listWebhookDeliveries(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  limit: number;
  cursor: string | null;
  status: WebhookDeliveryStatus | null;
}): Promise<{ deliveries: WebhookDeliveryLogEntry[]; nextCursor: string | null }> {
  const { deps, application, limit } = options;
  let before: bigint | null = null;
  if (options.cursor !== null) {
    if (!/^\d{1,19}$/.test(options.cursor)) throw new HoldfastError('BAD_REQUEST', 'invalid cursor');
    before = BigInt(options.cursor);
  }
  const rows = await deps.db.prisma.webhookDelivery.findMany({
    where: {
      applicationId: application.id,
      ...(before === null ? {} : { auditEventId: { lt: before } }),
      ...(options.status === null ? {} : { status: options.status }),
    },
    orderBy: { auditEventId: 'desc' },
    take: limit + 1,
    include: { attempts: { orderBy: { attempt: 'asc' } } },
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    deliveries: page.map((row) => ({
      id: row.id,
      type: row.eventType,
      status: row.status,
      event: webhookEvent.parse(row.payload),
      attemptCount: row.attemptCount,
      nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
      deliveredAt: row.deliveredAt,
      createdAt: row.createdAt,
      attempts: row.attempts.map((attempt) => ({
        attempt: attempt.attempt,
        startedAt: attempt.startedAt,
        durationMs: attempt.durationMs,
        statusCode: attempt.statusCode,
        error: attempt.error,
        gatewayId: attempt.gatewayId,
      })),
    })),
    nextCursor: rows.length > limit && last !== undefined ? last.auditEventId.toString() : null,
  };
}
