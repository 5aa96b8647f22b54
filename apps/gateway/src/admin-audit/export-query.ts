// GET /v1/admin/audit/export?format=…&<filters>: the query string as the console's search filters
// (validators adminAuditExportQuery — the same words admin.audit.search takes).
import { adminAuditExportQuery } from '@holdfast/validators';
import type { z } from 'zod';

export type AdminAuditExportRequest = z.infer<typeof adminAuditExportQuery>;

export type ParsedAdminAuditExportQuery = { ok: true; request: AdminAuditExportRequest } | { ok: false; issues: { path: string; message: string }[] };

export function parseAdminAuditExportQuery(query: string): ParsedAdminAuditExportQuery {
  const params = new URLSearchParams(query);
  const input: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    // A repeated parameter stays an array, which the schema refuses (no "first one wins" guessing).
    input[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  const parsed = adminAuditExportQuery.safeParse(input);
  if (parsed.success) return { ok: true, request: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) };
}
