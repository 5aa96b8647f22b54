// The console's side of the audit procedures (issue 13, COMMON.md Phase 9): `admin.audit.*`
// (action audit.read), parsed with the committed contract in @holdfast/validators — the gateway
// validates its output with the same schemas, so a mismatch fails here, in one place. The live
// stream and the export are plain HTTP GETs on the gateways (not tRPC); their paths live here too,
// and the console's route handlers (app/(console)/audit/{stream,export}) proxy them with the bearer.
import {
  adminAuditGetInput,
  adminAuditGetOutput,
  adminAuditSearchInput,
  adminAuditSearchOutput,
  adminAuditStatusOutput,
  adminAuditVerifyOutput,
} from '@holdfast/validators';
import type { z } from 'zod';
import { adminMutation, adminQuery } from './admin-api';
import { listApplications } from './admin-api-applications';

export type AuditSearchInput = z.input<typeof adminAuditSearchInput>;
export type AuditSearchOutput = z.output<typeof adminAuditSearchOutput>;
export type AuditGetOutput = z.output<typeof adminAuditGetOutput>;
export type AuditStatus = z.output<typeof adminAuditStatusOutput>;
export type AuditVerification = z.output<typeof adminAuditVerifyOutput>;

/** One page of the search (newest first, as the gateway pages it). */
export function searchAudit(bearer: string, input: AuditSearchInput): Promise<AuditSearchOutput> {
  // Parsed here as well: a bad filter is the console's mistake, said before a gateway is asked.
  return adminQuery('admin.audit.search', { bearer, input: adminAuditSearchInput.parse(input), output: adminAuditSearchOutput });
}

/** One event with its inclusion proof when sealed; `event: null` when there is no such event. */
export function getAuditEvent(bearer: string, input: { eventId: string }): Promise<AuditGetOutput> {
  return adminQuery('admin.audit.get', { bearer, input: adminAuditGetInput.parse(input), output: adminAuditGetOutput });
}

export function auditStatus(bearer: string): Promise<AuditStatus> {
  return adminQuery('admin.audit.status', { bearer, output: adminAuditStatusOutput });
}

/**
 * Recomputes the tree and checks every checkpoint (as `holdfast audit verify`). Not retried on
 * another gateway after a timeout: it is long and heavy, one run at a time is enough.
 */
export function verifyAuditTrail(bearer: string): Promise<AuditVerification> {
  return adminMutation('admin.audit.verify', { bearer, output: adminAuditVerifyOutput });
}

/**
 * The applications by name, for the search form's choice (applications.read — auditors have it).
 * Best effort: an empty list (the form then takes an application id) when it cannot be had.
 */
export async function applicationChoices(bearer: string): Promise<{ id: string; name: string }[]> {
  try {
    const { applications } = await listApplications(bearer);
    return applications.map((application) => ({ id: application.id, name: application.name })).sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

/** The live stream on every gateway: `id:` leaf index, `event: audit`, data = AuditRecord; resumable. */
export const auditStreamPath = '/v1/admin/audit/stream';
/** NDJSON download of a search's sealed events: `?format=ocsf|ecs|ndjson&<filters>`. */
export const auditExportPath = '/v1/admin/audit/export';
