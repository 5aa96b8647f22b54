import { HoldfastError } from '@holdfast/core';
import type { adminAuditStatusOutput, adminAuditVerifyOutput } from '@holdfast/validators';
import { withDatabaseRetry } from '@holdfast/db';
import type { z } from 'zod';
import type { ServiceDeps } from '../../../deps';
import { readLatestCheckpoint } from '../../audit-log/audit-tree';
import { readSealLagMs } from '../../audit-log/checkpoint-check';
import { verifyAuditLog, type AuditVerifyReport } from '../../audit-log/verify-audit-log';

export type AdminAuditVerification = z.infer<typeof adminAuditVerifyOutput>;

/**
 * A full verification reads every leaf and checkpoint: per process at most one every
 * max(60 s, 10 × the last run's duration) — a log that takes 30 s to verify is verified at most
 * every 5 minutes by one process, whoever presses the button.
 */
export const auditVerifyMinIntervalMs = 60_000;

/** The dedicated session advisory lock: one verification per deployment at a time, whichever gateway runs it. */
export const auditVerifyLockKey = 0x6861_7631; // "hav1"

export function auditVerifyIntervalMs(lastDurationMs: number): number {
  return Math.max(auditVerifyMinIntervalMs, 10 * Math.max(0, lastDurationMs));
}

/**
 * This process's verifications (admin.audit.verify): one at a time, however many admins press the
 * button on however many tabs, and none within auditVerifyIntervalMs of the last one — they get
 * its result. State per process, as the contract says ("the last verification this gateway ran");
 * across gateways, the advisory lock.
 */
const state: {
  running: Promise<AdminAuditVerification> | null;
  last: AdminAuditVerification | null;
  lastFinishedAt: number;
  lastDurationMs: number;
} = {
  running: null,
  last: null,
  lastFinishedAt: Number.NEGATIVE_INFINITY,
  lastDurationMs: 0,
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

type VerifyDeps = Pick<ServiceDeps, 'db' | 'keyring' | 'clock'>;

/** Another gateway holds the deployment's verification lock and this one has no result of its own to give. */
function verificationRunningElsewhere(): HoldfastError {
  return new HoldfastError('GATEWAY_OVERLOADED', 'a verification is running (on another gateway): its result is there; try again in a minute', {
    retryAfterMs: auditVerifyMinIntervalMs,
  });
}

/**
 * verifyAuditLog under the deployment's session advisory lock, taken on a connection of its own
 * (kept checked out for the run: the lock lives as long as the session, so a gateway that dies
 * mid-run frees it). null: another gateway holds it.
 */
async function verifyUnderLock(deps: VerifyDeps): Promise<AuditVerifyReport | null> {
  const client = await deps.db.pool.connect();
  const connection = { isBroken: false, isLocked: false };
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [auditVerifyLockKey]);
    connection.isLocked = rows[0]?.locked === true;
    if (!connection.isLocked) return null;
    return await verifyAuditLog({ pool: deps.db.pool, keyring: deps.keyring });
  } finally {
    if (connection.isLocked) {
      await client.query('SELECT pg_advisory_unlock($1)', [auditVerifyLockKey]).catch(() => {
        connection.isBroken = true;
      });
    }
    // A session whose unlock failed may still hold the lock: discarded, not reused.
    client.release(connection.isBroken);
  }
}

/**
 * admin.audit.verify: the check `holdfast audit verify` runs (verifyAuditLog: every leaf from its
 * row, every checkpoint's signature, root and frontier, prune marks), with the gateway's keyring
 * so the signing key's origin is checked too. One run per deployment at a time (the advisory lock:
 * while another gateway runs one, this one answers with its own last result, or says a
 * verification is running); per process, at most one every auditVerifyIntervalMs. A failed run
 * (the database failing over) throws and records nothing: "last verification" only ever names a
 * completed check.
 */
export function runAuditVerification(deps: VerifyDeps): Promise<AdminAuditVerification> {
  if (state.running !== null) return state.running;
  if (state.last !== null && Date.now() - state.lastFinishedAt < auditVerifyIntervalMs(state.lastDurationMs)) return Promise.resolve(state.last);
  const running = (async () => {
    const at = deps.clock();
    const started = Date.now();
    const report = await verifyUnderLock(deps);
    if (report === null) {
      if (state.last !== null) return state.last;
      throw verificationRunningElsewhere();
    }
    const result = verificationOf(report, at);
    state.last = result;
    state.lastFinishedAt = Date.now();
    state.lastDurationMs = state.lastFinishedAt - started;
    return result;
  })().finally(() => {
    state.running = null;
  });
  state.running = running;
  return running;
}

/** admin.audit.status: the latest checkpoint, the seal lag, this gateway's history alarm and last verification. */
export async function readAuditStatus(options: {
  deps: Pick<ServiceDeps, 'db' | 'requestDeadlineMs' | 'onRetried' | 'auditHistoryRewritten'>;
  signal?: AbortSignal;
}): Promise<z.infer<typeof adminAuditStatusOutput>> {
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
