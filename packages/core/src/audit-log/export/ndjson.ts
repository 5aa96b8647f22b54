import type { AuditRecord } from '../audit-record';

/**
 * One line of `holdfast audit export --format ndjson`: the AuditRecord exactly as the live stream
 * and the forwarder send it. JSON.stringify escapes every newline inside strings (the signed note
 * has several), so a record is always exactly one line.
 */
export function auditRecordToNdjson(record: AuditRecord): string {
  return JSON.stringify(record);
}
