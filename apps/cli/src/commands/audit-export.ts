// `holdfast audit export --format ocsf|ecs|ndjson` (issue 12): sealed audit records, in leaf
// order, one mapped record per line on stdout — for a SIEM's file or pipe input. Only sealed
// records leave (readSealedRecords), each with its leaf index and the latest checkpoint, so any
// line can be proved later (`holdfast audit proof`). Memory stays constant: one page at a time,
// and the next page is read only after stdout has taken the last one (backpressure).
import { readSealedRecords } from '@holdfast/api';
import { auditRecordToEcs, auditRecordToNdjson, auditRecordToOcsf, type AuditRecord } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { readGatewayEnv } from '@holdfast/gateway';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { auditExportUsage, parseAuditExportArgs, type AuditExportFormat } from './audit-export-args';

export { auditExportUsage } from './audit-export-args';

const pageSize = 1000;

const mappers: Readonly<Record<AuditExportFormat, (record: AuditRecord) => string>> = {
  ndjson: auditRecordToNdjson,
  ocsf: (record) => JSON.stringify(auditRecordToOcsf(record)),
  ecs: (record) => JSON.stringify(auditRecordToEcs(record)),
};

/** Writes one page, waiting for 'drain' whenever the stream's buffer is full. */
async function writePage(out: Writable, lines: readonly string[]): Promise<void> {
  for (const line of lines) {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
}

export async function runAuditExport(args: readonly string[], io: { out?: Writable; now?: Date } = {}): Promise<number> {
  const parsed = parseAuditExportArgs(args, io.now ?? new Date());
  if (!parsed.ok) {
    console.error(`holdfast audit export: ${parsed.message}\nusage: ${auditExportUsage}`);
    return 2;
  }
  const { options } = parsed;
  const out = io.out ?? process.stdout;
  // A reader that went away (`| head`) ends the export quietly, as other Unix tools do; any other
  // stream error ends it with the error (the listener keeps it from being an uncaught exception).
  const onError = (): void => undefined;
  out.on('error', onError);
  const env = readGatewayEnv();
  const db = createDatabase({ url: env.DATABASE_URL.split(','), poolMax: 1, applicationName: 'holdfast-audit-export' });
  const map = mappers[options.format];
  try {
    let after = options.afterLeafIndex;
    for (;;) {
      const page = await readSealedRecords(db.pool, {
        afterLeafIndex: after,
        limit: pageSize,
        ...(options.since === undefined ? {} : { since: options.since }),
        ...(options.until === undefined ? {} : { until: options.until }),
        ...(options.applicationId === undefined ? {} : { applicationId: options.applicationId }),
      });
      await writePage(out, page.records.map(map));
      const streamError = out.errored;
      if (streamError !== null) throw streamError;
      // A short page scanned every leaf up to the latest checkpoint: the export is complete as of it.
      if (page.records.length < pageSize || page.lastLeafIndex <= after) break;
      after = page.lastLeafIndex;
    }
    return 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    throw error;
  } finally {
    out.off('error', onError);
    await db.close();
  }
}
