// `holdfast audit prune --before <ISO time | 90d> [--dry-run] [--json]` (`npm run audit -- prune …`):
// audit retention (issue 12). Deletes sealed audit rows older than the cutoff, only below a signed
// "pruned below N" mark (api services/audit-log/retention.ts), after verifying the whole log. The
// gateway role may never delete an audit row (packages/db/src/roles.ts): this runs as the
// migrator (DATABASE_MIGRATION_URL), with the keyring that opens the deployment's audit key.
import { AuditPruneRefusedError, pruneAuditLog, type AuditPruneResult } from '@holdfast/api';
import { parseKeyring } from '@holdfast/core';
import { createDatabase } from '@holdfast/db';
import { readStartEnv } from '../env';

export const auditPruneUsage = 'holdfast audit prune --before <ISO 8601 time | <days>d> [--dry-run] [--json]';

export interface AuditPruneArgs {
  before: Date;
  dryRun: boolean;
  json: boolean;
}

const dayMs = 86_400_000;
// A date (UTC midnight) or a date and time WITH its offset: a local time would mean different
// cutoffs on different machines.
const isoTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `--before 2026-01-31T00:00:00Z` or `--before 90d` (90 days before `now`). */
export function parseAuditPruneArgs(args: readonly string[], now: Date): AuditPruneArgs | { error: string } {
  let before: Date | undefined;
  let dryRun = false;
  let json = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--json') json = true;
    else if (arg === '--before') {
      const value = args[i + 1] ?? '';
      i += 1;
      const days = /^([1-9][0-9]{0,5})d$/.exec(value);
      if (days !== null) before = new Date(now.getTime() - Number(days[1]) * dayMs);
      else if (isoTime.test(value) && Number.isFinite(Date.parse(value))) before = new Date(value);
      else return { error: `--before must be an ISO 8601 time with its offset (2026-01-31T00:00:00Z) or a number of days (90d), not "${value}"` };
    } else return { error: `unknown argument "${arg ?? ''}"` };
  }
  if (before === undefined) return { error: '--before is required' };
  if (before.getTime() > now.getTime()) return { error: `--before ${before.toISOString()} is in the future` };
  return { before, dryRun, json };
}

/** Where the migrator's credentials are, for the error when they are missing. */
const migratorHelp = `it needs the migrator role's credentials in DATABASE_MIGRATION_URL — the gateway role may never delete an audit row (on purpose).
  npm start (embedded Postgres): postgresql://holdfast_migrator:<"migrator" in .holdfast/database-roles.json>@127.0.0.1:54329/holdfast
  npm run cluster: the same user, its password in .holdfast/cluster/database-roles.json, through a region's HAProxy port
and the keyring that opens the audit key (HOLDFAST_ENCRYPTION_KEYS, HOLDFAST_ACTIVE_KEY_ID; npm start: .holdfast/dev-encryption-key.json)`;

function describe(result: AuditPruneResult): string {
  const kept = result.keptRows === 0 ? '' : `, ${String(result.keptRows)} kept below it (a webhook delivery is still pending: a later prune takes them)`;
  if (result.dryRun) {
    return `dry run: would prune below leaf ${String(result.prunedBelow)} (now ${String(result.previousPrunedBelow)}; tree size ${String(result.treeSize)}): ${String(result.deletedRows)} audit rows deleted${kept}; nothing signed or deleted`;
  }
  if (result.note === null && result.deletedRows === 0) {
    return `nothing to prune: no sealed audit event before ${result.before.toISOString()} above leaf ${String(result.previousPrunedBelow)}${kept}`;
  }
  const mark = result.note === null ? `under the existing mark "pruned below ${String(result.prunedBelow)}"` : `signed mark:\n${result.note}`;
  return `pruned below leaf ${String(result.prunedBelow)} (was ${String(result.previousPrunedBelow)}): ${String(result.deletedRows)} audit rows deleted${kept}; their leaves and every checkpoint are kept, ${mark}`;
}

export async function runAuditPrune(args: readonly string[]): Promise<number> {
  const parsed = parseAuditPruneArgs(args, new Date());
  if ('error' in parsed) {
    console.error(`holdfast audit prune: ${parsed.error}\nusage: ${auditPruneUsage}`);
    return 2;
  }
  const env = readStartEnv();
  const url = env.DATABASE_MIGRATION_URL;
  if (url === undefined || url === '' || env.HOLDFAST_ENCRYPTION_KEYS === undefined || env.HOLDFAST_ACTIVE_KEY_ID === undefined) {
    console.error(`holdfast audit prune: ${migratorHelp}`);
    return 2;
  }
  const keyring = parseKeyring({ keys: env.HOLDFAST_ENCRYPTION_KEYS, activeKeyId: env.HOLDFAST_ACTIVE_KEY_ID });
  const db = createDatabase({ url: url.split(','), poolMax: 1, applicationName: 'holdfast-audit-prune' });
  try {
    const result = await pruneAuditLog({ pool: db.pool, keyring, before: parsed.before, dryRun: parsed.dryRun });
    console.log(parsed.json ? JSON.stringify({ ...result, before: result.before.toISOString() }, null, 2) : describe(result));
    return 0;
  } catch (error) {
    if (!(error instanceof AuditPruneRefusedError)) throw error;
    console.error(`holdfast audit prune: refused: ${error.message}`);
    return 1;
  } finally {
    await db.close();
  }
}
