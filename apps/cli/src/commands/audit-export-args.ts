// The flags of `holdfast audit export` (issue 12), parsed without I/O so they can be tested alone.
export const auditExportFormats = ['ocsf', 'ecs', 'ndjson'] as const;
export type AuditExportFormat = (typeof auditExportFormats)[number];

export const auditExportUsage =
  'holdfast audit export --format ocsf|ecs|ndjson [--since <ISO time | 30m | 24h | 7d>] [--until <…>] [--application <uuid>] [--after-leaf <n>]';

export interface AuditExportOptions {
  format: AuditExportFormat;
  since?: Date;
  until?: Date;
  applicationId?: string;
  /** Export leaves with an index above this one (-1: from the first leaf). */
  afterLeafIndex: number;
}

export type ParsedAuditExportArgs = { ok: true; options: AuditExportOptions } | { ok: false; message: string };

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoPattern = /^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO 8601 time, or a duration back from now (`30m`, `24h`, `7d`). */
export function parseExportTime(value: string, now: Date): Date | null {
  const relative = /^(\d{1,6})([smhd])$/.exec(value);
  if (relative !== null) {
    const [, amount = '', unit = 's'] = relative;
    return new Date(now.getTime() - Number(amount) * unitMs[unit as keyof typeof unitMs]);
  }
  if (!isoPattern.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}

function isFormat(value: string): value is AuditExportFormat {
  return (auditExportFormats as readonly string[]).includes(value);
}

export function parseAuditExportArgs(args: readonly string[], now: Date): ParsedAuditExportArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i] ?? '';
    const value = args[i + 1];
    if (!['--format', '--since', '--until', '--application', '--after-leaf'].includes(flag)) return { ok: false, message: `unknown argument "${flag}"` };
    if (values.has(flag)) return { ok: false, message: `${flag} given twice` };
    if (value === undefined || value.startsWith('--')) return { ok: false, message: `${flag} needs a value` };
    values.set(flag, value);
  }
  const format = values.get('--format');
  if (format === undefined) return { ok: false, message: '--format is required (ocsf, ecs or ndjson)' };
  if (!isFormat(format)) return { ok: false, message: `--format must be ocsf, ecs or ndjson, not "${format}"` };
  const options: AuditExportOptions = { format, afterLeafIndex: -1 };
  for (const flag of ['--since', '--until'] as const) {
    const value = values.get(flag);
    if (value === undefined) continue;
    const at = parseExportTime(value, now);
    if (at === null) return { ok: false, message: `${flag} must be an ISO 8601 time or a duration like 30m, 24h or 7d, not "${value}"` };
    if (flag === '--since') options.since = at;
    else options.until = at;
  }
  if (options.since !== undefined && options.until !== undefined && options.since.getTime() >= options.until.getTime()) {
    return { ok: false, message: '--since must be before --until' };
  }
  const application = values.get('--application');
  if (application !== undefined) {
    if (!uuidPattern.test(application)) return { ok: false, message: `--application must be an application id (UUID), not "${application}"` };
    options.applicationId = application.toLowerCase();
  }
  const afterLeaf = values.get('--after-leaf');
  if (afterLeaf !== undefined) {
    if (!/^(?:-1|\d{1,15})$/.test(afterLeaf)) return { ok: false, message: `--after-leaf must be a leaf index (-1 or more), not "${afterLeaf}"` };
    options.afterLeafIndex = Number(afterLeaf);
  }
  return { ok: true, options };
}
