// One event of the live stream as the gateways send it (core's AuditRecord, `data:` of an `audit`
// event). Parsed in the browser: a frame that does not match is dropped, never half-shown. Only the
// fields the page shows are required; the rest (detail, checkpoint) are opened on the detail page.
import { z } from 'zod';

export const streamedAuditRecord = z.object({
  leafIndex: z.number().int().min(0),
  eventId: z.uuid(),
  occurredAt: z.string(),
  type: z.string(),
  applicationId: z.string().nullable(),
  attemptId: z.string().nullable(),
  gatewayId: z.string(),
  region: z.string(),
});
export type StreamedAuditRecord = z.infer<typeof streamedAuditRecord>;

export function parseStreamedRecord(text: string): StreamedAuditRecord | null {
  try {
    const parsed = streamedAuditRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
