// The stream's input: `?after=<leaf index>` (or the `Last-Event-ID` header an EventSource sends
// when it reconnects, which wins: it is newer than the URL) and `?since=<ISO 8601>`. Strict: an
// unknown parameter is refused, so a typo (`?afer=`) is not silently a live-only stream.
import { z } from 'zod';

/** -1 ("from the first leaf") or a leaf index; at most 16 digits, so it is an exact JS number. */
const leafIndex = z
  .string()
  .regex(/^(?:-1|0|[1-9]\d{0,15})$/, 'a leaf index: an integer, -1 or more')
  .transform(Number)
  .refine((value) => Number.isSafeInteger(value), 'a leaf index: an integer, -1 or more');

export const auditStreamQuerySchema = z.strictObject({
  after: leafIndex.optional(),
  since: z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with a zone, e.g. 2026-11-30T12:00:00Z' }).optional(),
});

export interface AuditStreamRequest {
  afterLeafIndex: number | undefined;
  since: Date | undefined;
}

export type ParsedAuditStreamRequest = { ok: true; request: AuditStreamRequest } | { ok: false; issues: { path: string; message: string }[] };

export function parseAuditStreamRequest(query: string, lastEventIdHeader: string | string[] | undefined): ParsedAuditStreamRequest {
  const params = new URLSearchParams(query);
  const input: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    // A repeated parameter stays an array, which the schema refuses.
    input[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  const issues: { path: string; message: string }[] = [];
  const parsed = auditStreamQuerySchema.safeParse(input);
  if (!parsed.success) for (const issue of parsed.error.issues) issues.push({ path: issue.path.join('.'), message: issue.message });
  let lastEventId: number | undefined;
  // An empty Last-Event-ID is "none" (what EventSource sends before it has seen an id).
  if (lastEventIdHeader !== undefined && lastEventIdHeader !== '') {
    const header = leafIndex.safeParse(lastEventIdHeader);
    if (header.success) lastEventId = header.data;
    else issues.push({ path: 'Last-Event-ID', message: header.error.issues[0]?.message ?? 'a leaf index' });
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const since = parsed.data.since === undefined ? undefined : new Date(parsed.data.since);
  return { ok: true, request: { afterLeafIndex: lastEventId ?? parsed.data.after, since } };
}
