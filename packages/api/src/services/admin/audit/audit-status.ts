import type { adminAuditStatusOutput, adminAuditVerifyOutput } from '@holdfast/validators';
import { withDatabaseRetry } from '@holdfast/db';
import type { z } from 'zod';
import type { ServiceDeps } from '../../../deps';
import { readLatestCheckpoint } from '../../audit-log/audit-tree';
import { readSealLagMs } from '../../audit-log/checkpoint-check';
import { verifyAuditLog, type AuditVerifyReport } from '../../audit-log/verify-audit-log';

export type AdminAuditVerification = z.infer<typeof adminAuditVerifyOutput>;

/** A full verification reads every leaf and checkpoint: at most one every this often per process. */
export const auditVerifyMinIntervalMs = 10_000;

/**
 * This process's verifications (admin.audit.verify): one at a time, however many admins press the
 * button on however many tabs, and none within `auditVerifyMinIntervalMs` of the last one — they
 * get its result. State per process, as the contract says ("the last verification this gateway ran").
 */
const state: { running: Promise<AdminAuditVerification> | null; last: AdminAuditVerification | null; lastFinishedAt: number } = {
  running: null,
  last: null,
  lastFinishedAt: Number.NEGATIVE_INFINITY,
};

/** The CLI's words (apps/cli audit verify), so the console and `holdfast audit verify` read alike. */
function verificationOf(report: AuditVerifyReport, at: Date): AdminAuditVerification {
  const treeSize = report.latestCheckpoint?.treeSize ?? 0;
  const [first] = report.problems;
  if (first === undefined) {
    return {
      at: at.toISOString(),
      ok: true,
      treeSize,
      firstBadLeaf: null,
      message: `verified: every leaf matches its row, every checkpoint is signed and consistent (tree size ${String(treeSize)}; ${String(report.leaves)} leaves, ${String(report.checkpoints)} checkpoints${report.prunedBelow > 0 ? `, pruned below ${String(report.prunedBelow)}` : ''})`,
    };
  }
  return {
    at: at.toISOString(),
    ok: false,
    treeSize,
    firstBadLeaf: first.leafIndex,
    message: `first bad leaf: ${first.leafIndex === null ? 'none' : String(first.leafIndex)} (audit event ${first.auditEventId ?? '-'}): ${first.kind}: ${first.message}${report.problems.length > 1 ? ` (and ${String(report.problems.length - 1)} more)` : ''}`,
  };
}

/**
 * admin.audit.verify: the check `holdfast audit verify` runs (verifyAuditLog: every leaf from its
 * row, every checkpoint's signature, root and frontier, prune marks), with the gateway's keyring
 * so the signing key's origin is checked too. A failed run (the database failing over) throws and
 * records nothing: "last verification" only ever names a completed check.
 */
export function runAuditVerification(deps: ServiceDeps): Promise<AdminAuditVerification> {
  if (state.running !== null) return state.running;
  if (state.last !== null && Date.now() - state.lastFinishedAt < auditVerifyMinIntervalMs) return Promise.resolve(state.last);
  const running = (async () => {
    const at = deps.clock();
    const report = await verifyAuditLog({ pool: deps.db.pool, keyring: deps.keyring });
    const result = verificationOf(report, at);
    state.last = result;
    state.lastFinishedAt = Date.now();
    return result;
  })().finally(() => {
    state.running = null;
  });
  state.running = running;
  return running;
}

/** admin.audit.status: the latest checkpoint, the seal lag, this gateway's history alarm and last verification. */
export async function readAuditStatus(options: { deps: ServiceDeps; signal?: AbortSignal }): Promise<z.infer<typeof adminAuditStatusOutput>> {
  const { deps } = options;
  const [latest, sealLagMs] = await withDatabaseRetry(
    deps,
    () => Promise.all([readLatestCheckpoint(deps.db.pool), readSealLagMs(deps.db.pool)]),
    options.signal,
  );
  return {
    latestCheckpoint:
      latest === undefined
        ? null
        : { treeSize: latest.treeSize, rootHash: Buffer.from(latest.rootHash).toString('hex'), createdAt: latest.createdAt.toISOString() },
    sealLagMs,
    historyRewritten: deps.auditHistoryRewritten?.() ?? false,
    lastVerification: state.last,
  };
}
