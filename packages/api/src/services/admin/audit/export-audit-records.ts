import { auditRecordToEcs, auditRecordToNdjson, auditRecordToOcsf, type AuditRecord, type AuditRecordCheckpoint } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import type { AdminAuditSearchFilters, auditExportFormats } from '@holdfast/validators';
import { sealedColumns } from '../../audit-log/audit-rows';
import { auditRecordOf, type SealedLeafRow } from '../../audit-log/sealed-records';
import { readLatestCheckpoint } from '../../audit-log/audit-tree';
import { auditFilterSql } from './audit-filters';

type Sql = Pick<SqlClient, 'query'>;

export type AdminAuditExportFormat = (typeof auditExportFormats)[number];

/** One line per record, by the core mappings the CLI export uses (`holdfast audit export`). */
export const auditExportLineOf: Readonly<Record<AdminAuditExportFormat, (record: AuditRecord) => string>> = {
  ndjson: auditRecordToNdjson,
  ocsf: (record) => JSON.stringify(auditRecordToOcsf(record)),
  ecs: (record) => JSON.stringify(auditRecordToEcs(record)),
};

export interface AdminAuditExport {
  /** The checkpoint the export is as of (null: nothing sealed yet, the export is empty). */
  checkpoint: AuditRecordCheckpoint | null;
  /** Pages of records in leaf order; the next is read only when the consumer asks (backpressure). */
  pages: (signal: AbortSignal) => AsyncGenerator<AuditRecord[], void, undefined>;
}

/**
 * GET /v1/admin/audit/export: the sealed events matching the console's search filters, in leaf
 * order, as of the latest checkpoint when the export starts (a consistent cut: every record carries
 * that checkpoint, which covers it, so any line can be proved later). Only sealed events leave
 * Holdfast (issue 12), like the CLI export and the stream. Constant memory: a page at a time.
 */
export async function openAuditExport(options: { sql: Sql; filters: AdminAuditSearchFilters; pageSize?: number }): Promise<AdminAuditExport> {
  const { sql } = options;
  const pageSize = Math.min(Math.max(options.pageSize ?? 500, 1), 5_000);
  // Resolved once (the user's id, a bad combination refused before the response starts).
  const filter = await auditFilterSql(sql, options.filters, 4);
  const latest = await readLatestCheckpoint(sql);
  if (latest === undefined || filter.isEmpty) {
    return {
      checkpoint: null,
      pages: async function* () {
        // Nothing to send.
      },
    };
  }
  const checkpoint: AuditRecordCheckpoint = { treeSize: latest.treeSize, rootHash: Buffer.from(latest.rootHash).toString('base64'), note: latest.note };
  async function* pages(signal: AbortSignal): AsyncGenerator<AuditRecord[], void, undefined> {
    let after = -1;
    while (!signal.aborted) {
      const { rows } = await sql.query<SealedLeafRow>(
        `SELECT l.leaf_index::text AS leaf_index, ${sealedColumns}
           FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id
          WHERE l.leaf_index > $1::bigint AND l.leaf_index < $2::bigint AND ${filter.where}
          ORDER BY l.leaf_index
          LIMIT $3`,
        [after, checkpoint.treeSize, pageSize, ...filter.values],
      );
      const records = rows.map((row) => auditRecordOf(row, checkpoint));
      if (records.length > 0) yield records;
      const last = records.at(-1);
      if (last === undefined || records.length < pageSize) return;
      after = last.leafIndex;
    }
  }
  return { checkpoint, pages };
}
