import { HoldfastError } from '../errors';
import { canonicalJson } from './canonical-json';
import { auditLeafHash } from './merkle';

/**
 * The bytes a sealed audit row contributes to the Merkle tree (the RFC 6962 "entry"; its leaf hash
 * is SHA-256(0x00 ‖ entry)): UTF-8 of the JSON array
 *
 *   ["holdfast-audit-leaf-v1", eventId, occurredAtMs, type, applicationId, userId, factorId,
 *    attemptId, gatewayId, region, canonicalJson(detail)]
 *
 * - A JSON array of strings, integers and nulls says exactly where each field ends (no "a|b" + "c"
 *   == "a" + "b|c"), and null is not "" — an absent user and a user with an empty id differ.
 * - The detail goes in as ONE string of canonical JSON (sorted keys): the key order Postgres's jsonb
 *   or a driver happens to return cannot change the hash, and the outer array stays flat and fixed.
 * - The time is integer milliseconds since the epoch (`occurred_at` is timestamptz(3)): one spelling
 *   per instant, where an ISO string has several.
 * - The format tag versions the layout: a later format can never be read as this one, and a
 *   verifier knows which rules to apply to which leaf.
 * - Every column of audit_events except the database's own sequence id (`id`) and the sealing
 *   columns themselves: editing any of them changes the leaf; the order of rows is the leaf index.
 *
 * Every field is required and typed (string, or null where the column is nullable): `undefined` —
 * a column the caller forgot to select — throws instead of hashing as null, so a sealer and a
 * verifier that read the row differently fail loudly rather than disagree quietly.
 */

export const auditLeafFormat = 'holdfast-audit-leaf-v1';

/** One audit_events row as the sealer and `holdfast audit verify` read it. */
export interface AuditLeafRow {
  /** UUID (UUIDv7 from the writer), exactly as Postgres prints it (lower case). */
  eventId: string;
  occurredAt: Date;
  type: string;
  applicationId: string | null;
  userId: string | null;
  factorId: string | null;
  attemptId: string | null;
  gatewayId: string;
  region: string;
  /** The parsed jsonb value (plain objects, arrays, strings, finite numbers, booleans, null). */
  detail: unknown;
}

export function auditLeafEntry(row: AuditLeafRow): Uint8Array {
  const occurredAtMs = row.occurredAt instanceof Date ? row.occurredAt.getTime() : Number.NaN;
  if (!Number.isSafeInteger(occurredAtMs)) throw new HoldfastError('BAD_REQUEST', 'Audit leaf: occurredAt must be a valid Date');
  const fields = [
    auditLeafFormat,
    text(row.eventId, 'eventId'),
    occurredAtMs,
    text(row.type, 'type'),
    nullableText(row.applicationId, 'applicationId'),
    nullableText(row.userId, 'userId'),
    nullableText(row.factorId, 'factorId'),
    nullableText(row.attemptId, 'attemptId'),
    text(row.gatewayId, 'gatewayId'),
    text(row.region, 'region'),
    canonicalJson(row.detail),
  ];
  // JSON.stringify escapes lone surrogates, so TextEncoder never has to replace one with U+FFFD.
  return new TextEncoder().encode(JSON.stringify(fields));
}

/** auditLeafHash(auditLeafEntry(row)): what the sealer stores and the verifier recomputes per row. */
export function auditRowLeafHash(row: AuditLeafRow): Uint8Array {
  return auditLeafHash(auditLeafEntry(row));
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new HoldfastError('BAD_REQUEST', `Audit leaf: ${name} must be a string`);
  return value;
}

function nullableText(value: unknown, name: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new HoldfastError('BAD_REQUEST', `Audit leaf: ${name} must be a string or null`);
  return value;
}
