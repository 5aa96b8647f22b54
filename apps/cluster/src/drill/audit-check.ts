// Every drill ends with the sealed audit log checked (issue 12): first wait (bounded) until the
// sealer has given every audit row written during the drill its leaf, then run the real
// `holdfast audit verify --json` against the cluster — the command an operator runs, with the
// gateways' least-privilege login and keyring. apps/cluster may import @holdfast/api only as
// types (lint layer rule), and running the CLI checks what operators get anyway.
import type { AuditVerifyReport } from '@holdfast/api';
import type { Database } from '@holdfast/db';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { clusterLogin } from '../cluster';
import { databaseUrlsFor, type ClusterConfig } from '../config';
import { childPath } from '../env';

/** The sealing wait and the verify run, as the report keeps them. */
export interface AuditSection {
  sealing: {
    /** audit_events rows with startId < id ≤ endId: written during the drill (replayed spooled events included). */
    rows: number;
    /** Of those, still without a leaf when the wait ended (0 = all sealed). */
    unsealed: number;
    /** How long the wait took (≤ the bound). */
    waitedMs: number;
    boundMs: number;
  };
  verify:
    | {
        ran: true;
        ok: boolean;
        leaves: number;
        checkpoints: number;
        treeSize: number | null;
        /** Retention: leaves below this may have lost their rows (signed "pruned below N"); 0 = never pruned. */
        prunedBelow: number;
        /** The first problem (lowest leaf first), as verify names it; null when ok. */
        firstBad: { leafIndex: number | null; auditEventId: string | null; kind: string; message: string } | null;
        problems: number;
        durationMs: number;
      }
    | { ran: false; error: string; durationMs: number };
}

export const sealingBoundMs = 30_000;

/** The highest audit_events id now (0 for an empty table): the drill's rows are those above it. */
export async function auditHighWater(db: Pick<Database, 'pool'>): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_events');
  return rows[0]?.id ?? '0';
}

/**
 * Waits until every audit row with `startId < id ≤ endId` has its leaf, or `boundMs` has passed.
 * Rows commit out of id order (the sealer only seals below the snapshot xmin), so a row below
 * `endId` that commits during the wait is waited for too.
 */
export async function waitUntilSealed(
  db: Pick<Database, 'pool'>,
  options: { startId: string; endId: string; boundMs?: number },
): Promise<AuditSection['sealing']> {
  const boundMs = options.boundMs ?? sealingBoundMs;
  const started = Date.now();
  for (;;) {
    const { rows } = await db.pool.query<{ total: string; unsealed: string }>(
      `SELECT count(*)::text AS total,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.audit_event_id = e.id))::text AS unsealed
         FROM audit_events e WHERE e.id > $1::bigint AND e.id <= $2::bigint`,
      [options.startId, options.endId],
    );
    const total = Number(rows[0]?.total ?? 0);
    const unsealed = Number(rows[0]?.unsealed ?? 0);
    const waitedMs = Date.now() - started;
    if (unsealed === 0 || waitedMs >= boundMs) return { rows: total, unsealed, waitedMs, boundMs };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What `holdfast audit verify --json` printed, or why it could not be read. */
export function parseVerifyOutput(stdout: string, exitCode: number | null): { report: AuditVerifyReport } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return { error: `audit verify exited ${String(exitCode)} without a JSON report: ${stdout.trim().slice(0, 200) || '(no output)'}` };
  }
  const report = parsed as Partial<AuditVerifyReport> | null;
  if (report === null || typeof report.ok !== 'boolean' || typeof report.leaves !== 'number' || !Array.isArray(report.problems)) {
    return { error: `audit verify printed JSON that is not a verify report: ${stdout.trim().slice(0, 200)}` };
  }
  // Exit 0 ⇔ ok: anything else is the command disagreeing with its own report.
  if ((exitCode === 0) !== report.ok) return { error: `audit verify exited ${String(exitCode)} but reported ok = ${String(report.ok)}` };
  return { report: report as AuditVerifyReport };
}

/** The report's verify part from the command's report. */
export function verifySectionOf(report: AuditVerifyReport, durationMs: number): AuditSection['verify'] {
  const [first] = report.problems;
  return {
    ran: true,
    ok: report.ok,
    leaves: report.leaves,
    checkpoints: report.checkpoints,
    treeSize: report.latestCheckpoint?.treeSize ?? null,
    prunedBelow: report.prunedBelow,
    firstBad: first === undefined ? null : { leafIndex: first.leafIndex, auditEventId: first.auditEventId, kind: first.kind, message: first.message },
    problems: report.problems.length,
    durationMs,
  };
}

/** Runs the CLI from source (tsx, as `npm run drill` itself runs): no build step to go stale. */
export async function runAuditVerify(config: ClusterConfig): Promise<AuditSection['verify']> {
  const keys = JSON.parse(await readFile(config.keysFile, 'utf8')) as { keys: string; activeKeyId: string };
  const login = await clusterLogin(config, 'gateway');
  const firstRegion = config.regions[0]?.name ?? 'region-1';
  const started = Date.now();
  const result = await new Promise<{ stdout: string; stderr: string; code: number | null; error: string | null }>((resolve) => {
    execFile(
      path.join(config.repoRoot, 'node_modules', '.bin', 'tsx'),
      [path.join(config.repoRoot, 'apps', 'cli', 'src', 'bin', 'holdfast.ts'), 'audit', 'verify', '--json'],
      {
        cwd: config.repoRoot,
        env: {
          PATH: childPath(),
          LANG: 'C.UTF-8',
          DATABASE_URL: databaseUrlsFor(config, firstRegion, login),
          HOLDFAST_ENCRYPTION_KEYS: keys.keys,
          HOLDFAST_ACTIVE_KEY_ID: keys.activeKeyId,
          HOLDFAST_MIGRATE: 'false',
        },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 300_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ stdout, stderr, code, error: error !== null && code === null ? error.message : null });
      },
    );
  });
  const durationMs = Date.now() - started;
  if (result.error !== null) return { ran: false, error: `${result.error} ${result.stderr.trim().slice(-300)}`.trim(), durationMs };
  const parsed = parseVerifyOutput(result.stdout, result.code);
  if ('error' in parsed) return { ran: false, error: `${parsed.error} ${result.stderr.trim().slice(-300)}`.trim(), durationMs };
  return verifySectionOf(parsed.report, durationMs);
}

/** The audit part of the verdict: every row of the drill sealed within the bound, and verify ok. */
export function isAuditPassed(audit: AuditSection): boolean {
  return audit.sealing.unsealed === 0 && audit.verify.ran && audit.verify.ok;
}

/** The one `audit verify` line of the report (Markdown and console). */
export function auditVerifyLine(audit: AuditSection): string {
  const { sealing, verify } = audit;
  const sealed =
    sealing.unsealed === 0
      ? `all ${sealing.rows} audit rows of the drill sealed (waited ${(sealing.waitedMs / 1000).toFixed(1)} s)`
      : `${sealing.unsealed} of ${sealing.rows} audit rows of the drill NOT sealed after ${(sealing.boundMs / 1000).toFixed(0)} s`;
  if (!verify.ran) return `audit verify: FAILED — could not run: ${verify.error}; ${sealed}`;
  const size = `${verify.leaves} leaves, ${verify.checkpoints} checkpoints${verify.treeSize === null ? '' : ` (tree size ${verify.treeSize})`}${verify.prunedBelow > 0 ? `, pruned below ${verify.prunedBelow}` : ''}`;
  if (verify.ok) return `audit verify: ok — ${size}; ${sealed}; ${(verify.durationMs / 1000).toFixed(1)} s`;
  const bad = verify.firstBad;
  const first =
    bad === null
      ? 'no problem named'
      : `first bad leaf ${bad.leafIndex === null ? '—' : String(bad.leafIndex)} (audit event ${bad.auditEventId ?? '—'}): ${bad.kind}: ${bad.message}`;
  return `audit verify: FAILED — ${first}${verify.problems > 1 ? ` (+${verify.problems - 1} more)` : ''}; ${size}; ${sealed}`;
}
