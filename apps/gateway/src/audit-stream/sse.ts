// Server-Sent Events framing (WHATWG HTML §9.2) for the live audit stream. A frame is text lines
// ending in a blank line; `data:` carries one JSON document on one line (JSON.stringify never
// emits a raw CR or LF, so a record can never end its frame early or forge a field).
import type { AuditRecord } from '@holdfast/core';

/** One sealed record: the leaf index is the event id a client resumes from (`Last-Event-ID`). */
export function auditEventFrame(record: AuditRecord): string {
  return `id: ${String(record.leafIndex)}\nevent: audit\ndata: ${JSON.stringify(record)}\n\n`;
}

/** A comment line (ignored by EventSource): heartbeats and the opening line. Line breaks become spaces. */
export function commentFrame(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** How long a client waits before reconnecting after the connection drops. */
export function retryFrame(ms: number): string {
  return `retry: ${String(Math.max(0, Math.trunc(ms)))}\n\n`;
}
