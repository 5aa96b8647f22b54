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
  /**
   * The writer's own id (UUIDv7: core `timeOrderedUuid`) for an event it may have to write again —
   * the outage spool replays it with ON CONFLICT (event_id) DO NOTHING. Absent: the database picks one.
   */
  eventId?: string;
  /** When it happened, for an event written later than that (a replayed spool). Absent: the database's now(). */
  occurredAt?: Date;
  /** Never put a secret here: the trail is exported and shown to operators. */
  detail?: Prisma.InputJsonObject;
}

/**
 * The audit types a relying application's webhook hears of, and the event name it hears
 * (@holdfast/validators `webhookEventTypes`; the api's webhook tests check the two agree). A passkey
 * or security key is enrolled with `webauthn.registered`, so it is a `factor.enrolled` too.
 */
export const webhookEventByAuditType: Partial<Record<AuditEventType, string>> = {
  'factor.enrolled': 'factor.enrolled',
  'webauthn.registered': 'factor.enrolled',
  'factor.revoked': 'factor.removed',
  'recovery_codes.generated': 'recovery_codes.generated',
  'factor.locked': 'factor.locked',
  'factor.suspended': 'factor.suspended',
  'account.locked': 'account.locked',
  'push.fraud_reported': 'push.fraud_reported',
  // The application tells its user an admin issued them a bypass code (the code is never in the body).
  'bypass.issued': 'bypass.issued',
};

const auditColumns = 'type, gateway_id, region, application_id, user_id, factor_id, attempt_id, detail';
// Every value typed: inside an INSERT … SELECT, Postgres cannot infer a parameter's type from the column.
const auditCasts = ['::text', '::text', '::text', '::uuid', '::uuid', '::uuid', '::text', '::jsonb'] as const;

const insertAuditEvent = `INSERT INTO audit_events (${auditColumns})
           VALUES (${auditCasts.map((cast, i) => `$${String(i + 1)}${cast}`).join(', ')})`;

// The same row with the writer's id and time ($9, $10; NULL = the defaults): an event that may be
// written twice is stored once.
const idColumns = 'event_id, occurred_at';
const idValues = (first: number): string => `COALESCE($${String(first)}::uuid, gen_random_uuid()), COALESCE($${String(first + 1)}::timestamptz, now())`;
const insertAuditEventWithId = `INSERT INTO audit_events (${auditColumns}, ${idColumns})
           VALUES (${auditCasts.map((cast, i) => `$${String(i + 1)}${cast}`).join(', ')}, ${idValues(auditCasts.length + 1)})
           ON CONFLICT (event_id) DO NOTHING`;

function idValuesOf(event: AuditEventInput): [string | null, string | null] {
  return [event.eventId ?? null, event.occurredAt?.toISOString() ?? null];
}

/**
 * The audit row and, when the application has a webhook endpoint, its outbox row — one statement,
 * so telling the application costs no extra round trip and commits or rolls back with the change
 * (invariant 7: the application is told of every change, or the change did not happen). The body
 * names the application's own user id and the factor, never a secret or a code; it is fixed here,
 * so every retry sends the same bytes under the same id.
 */
const insertAuditEventWithWebhook = `WITH event AS (
  ${insertAuditEvent}
  RETURNING id, occurred_at, application_id, user_id, factor_id, detail
)
INSERT INTO webhook_deliveries (id, application_id, audit_event_id, event_type, payload)
SELECT delivery.id, event.application_id, event.id, $9::text,
       jsonb_build_object(
         'id', delivery.id,
         'type', $9::text,
         'occurredAt', to_char(event.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         'applicationId', event.application_id,
         'data', jsonb_build_object(
           'userId', users.external_id,
           'factorId', event.factor_id,
           'factorKind', COALESCE(factors.kind::text, event.detail->>'kind')))
FROM event
JOIN application_webhooks ON application_webhooks.application_id = event.application_id
CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) AS delivery
LEFT JOIN users ON users.id = event.user_id
LEFT JOIN factors ON factors.id = event.factor_id`;

function auditValues(event: AuditEventInput): unknown[] {
  return [
    event.type,
    event.gatewayId,
    event.region,
    event.applicationId ?? null,
    event.userId ?? null,
    event.factorId ?? null,
    event.attemptId ?? null,
    JSON.stringify(event.detail ?? {}),
  ];
}

/**
 * The audit row as an `INSERT … SELECT … FROM <from>` clause for a larger one-statement write (the
 * verification hot path, issue 9): it is written iff `from` yields a row, in the same implicit
 * transaction as the change (invariant 7). `param` numbers each value in the enclosing statement.
 * Only for events no webhook hears of: their outbox row needs `writeAuditEvent`.
 */
export function auditInsertFrom(event: AuditEventInput, param: (value: unknown) => string, from: string): string {
  if (webhookEventByAuditType[event.type] !== undefined) throw new Error(`audit event ${event.type} has a webhook: write it with writeAuditEvent`);
  const values = auditValues(event).map((value, i) => `${param(value)}${auditCasts[i] ?? ''}`);
  return `INSERT INTO audit_events (${auditColumns}) SELECT ${values.join(', ')} FROM ${from}`;
}

/** The one INSERT for audit events, shared by the Prisma and the plain-SQL write paths. */
function auditInsert(event: AuditEventInput): { text: string; values: unknown[] } {
  if (event.eventId !== undefined || event.occurredAt !== undefined) {
    // Events written on their own (never a webhook's: those commit with their change, invariant 7).
    if (webhookEventByAuditType[event.type] !== undefined) throw new Error(`audit event ${event.type} has a webhook: its id is the database's`);
    return { text: insertAuditEventWithId, values: [...auditValues(event), ...idValuesOf(event)] };
  }
  const values = auditValues(event);
  const webhookEvent = webhookEventByAuditType[event.type];
  // Every other event (the verification hot path's accepted/rejected) keeps the plain INSERT.
  if (webhookEvent === undefined || (event.applicationId ?? null) === null) return { text: insertAuditEvent, values };
  return { text: insertAuditEventWithWebhook, values: [...values, webhookEvent] };
}

/** Call it with the transaction that makes the state change, so both commit or neither does (invariant 7). */
export async function writeAuditEvent(db: PrismaTx | PrismaDb | Pick<SqlClient, 'query'>, event: AuditEventInput): Promise<void> {
  const { text, values } = auditInsert(event);
  if ('$executeRawUnsafe' in db) await db.$executeRawUnsafe(text, ...values);
  else await db.query(text, values);
}

/** An audit event kept by a gateway's outage spool: its id and time were fixed when it happened. */
export type SpooledAuditEvent = AuditEventInput & { eventId: string; occurredAt: Date };

/**
 * Replays spooled events in one statement: `ON CONFLICT (event_id) DO NOTHING`, so a batch sent
 * again (a gateway killed before it deleted its segment) adds nothing. Resolves with how many rows
 * were new; the rest were already there. Needs only INSERT (and SELECT) on audit_events.
 */
export async function insertSpooledAuditEvents(db: Pick<SqlClient, 'query'>, events: readonly SpooledAuditEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const values: unknown[] = [];
  const rows = events.map((event) => {
    const first = values.length + 1;
    values.push(...auditValues(event), ...idValuesOf(event));
    const placeholders = auditCasts.map((cast, i) => `$${String(first + i)}${cast}`);
    return `(${placeholders.join(', ')}, ${idValues(first + auditCasts.length)})`;
  });
  const result = await db.query(`INSERT INTO audit_events (${auditColumns}, ${idColumns}) VALUES ${rows.join(', ')} ON CONFLICT (event_id) DO NOTHING`, values);
  return result.rowCount ?? 0;
}
