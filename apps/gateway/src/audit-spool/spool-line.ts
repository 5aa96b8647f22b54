// One spooled audit event as one line of JSON (a segment is NDJSON). Parsing is strict: a line a
// crash cut short (the last one of a segment) or any line that is not a whole event is skipped,
// never fatal — the spool must come back after any crash.
import { auditEventTypes } from '@holdfast/core';
import type { SpooledAuditEvent } from '@holdfast/db';
import { z } from 'zod';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const jsonObject = z.record(z.string(), z.json());

const lineSchema = z.object({
  v: z.literal(1),
  eventId: uuid,
  occurredAt: z.iso.datetime(),
  type: z.enum(auditEventTypes),
  gatewayId: z.string().min(1).max(64),
  region: z.string().min(1).max(32),
  applicationId: uuid.nullable(),
  userId: uuid.nullable(),
  factorId: uuid.nullable(),
  attemptId: z.string().max(128).nullable(),
  detail: jsonObject,
});

/** The line for an event, newline included. */
export function spoolLineOf(event: SpooledAuditEvent): string {
  return `${JSON.stringify({
    v: 1,
    eventId: event.eventId,
    occurredAt: event.occurredAt.toISOString(),
    type: event.type,
    gatewayId: event.gatewayId,
    region: event.region,
    applicationId: event.applicationId ?? null,
    userId: event.userId ?? null,
    factorId: event.factorId ?? null,
    attemptId: event.attemptId ?? null,
    detail: event.detail ?? {},
  })}\n`;
}

/** The event of one line (without its newline), or null for a torn or foreign line. */
export function parseSpoolLine(line: string): SpooledAuditEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = lineSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { eventId, occurredAt, type, gatewayId, region, applicationId, userId, factorId, attemptId, detail } = parsed.data;
  return { eventId, occurredAt: new Date(occurredAt), type, gatewayId, region, applicationId, userId, factorId, attemptId, detail };
}

/**
 * The events of a segment's bytes. Only newline-terminated lines count: an unterminated tail is
 * a write the process did not finish (killed mid-write), so it was never acknowledged.
 */
export function parseSegment(text: string): { events: SpooledAuditEvent[]; skipped: number } {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const events: SpooledAuditEvent[] = [];
  let skipped = tail.length > 0 ? 1 : 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    const event = parseSpoolLine(line);
    if (event === null) skipped += 1;
    else events.push(event);
  }
  return { events, skipped };
}
