import type { Keyring } from '@holdfast/core';
import type { Database, SqlClient } from '@holdfast/db';
import { openAuditSigningKeyRow, readAuditPublicKey, type AuditSigningKey } from './audit-key';
import { readLatestCheckpoint } from './audit-tree';
import { signPruneMark } from './retention-mark';
import { verifyInSnapshot, type AuditProblem } from './verify-audit-log';

type Sql = Pick<SqlClient, 'query'>;

/** "hap1": one prune at a time (a session lock around the prune's transaction). */
export const pruneLockKey = 0x6861_7031;

/** The prune refused to run: nothing was signed or deleted. */
export class AuditPruneRefusedError extends Error {
  constructor(
    message: string,
    readonly problem?: AuditProblem,
  ) {
    super(message);
    this.name = 'AuditPruneRefusedError';
  }
}

export interface AuditPruneResult {
  dryRun: boolean;
  /** The cutoff asked for: every deleted row's event occurred before it. */
  before: Date;
  /** N after this prune (the highest valid mark; unchanged when nothing new was old enough). */
  prunedBelow: number;
  /** N before it (0: never pruned). */
  previousPrunedBelow: number;
  /** The signed tree head the new mark is for. */
  treeSize: number;
  /** Rows deleted (or, dry run, that would be). */
  deletedRows: number;
  /** Rows below N kept because a webhook delivery for them is still pending; a later prune takes them. */
  keptRows: number;
  /** The new mark's signed note; null when no new mark was needed (or a dry run). */
  note: string | null;
}

function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A pending webhook delivery still points at its audit event: such rows are kept (never dropped silently). */
const pendingWebhook = `EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.audit_event_id = e.id AND w.status = 'pending')`;

/**
 * `holdfast audit prune --before <time>`: deletes the audit rows of leaves below N, N = the first
 * leaf (from the current mark up to the latest checkpoint's size) whose event occurred at or after
 * `before` — only sealed rows, and only ones older than the cutoff. Needs a role that may delete
 * audit rows (the migrator's: the gateway role is append-only on purpose) and the keyring.
 *
 * ONE repeatable-read transaction, under a session lock ("hap1") so two prunes never interleave:
 * the whole log is verified first in the same snapshot (`verifyAuditLog`'s checks) and the prune
 * refuses on any problem — a mark must never turn an edited or deleted row into an authorised
 * hole; then the mark (latest checkpoint's head + `pruned-below N`) is signed and inserted and the
 * rows deleted, committing together. The sealer is not locked out, and need not be: it only reads
 * rows without a leaf after its watermark and appends leaves and checkpoints, while a prune only
 * deletes rows whose leaves are below a committed checkpoint (the sealer's session lock is held
 * for as long as a gateway seals, so waiting for it would wait for ever).
 */
export async function pruneAuditLog(options: { pool: Database['pool']; keyring: Keyring; before: Date; dryRun: boolean }): Promise<AuditPruneResult> {
  const { keyring, before, dryRun } = options;
  const client = await options.pool.connect();
  // An object: set from callbacks, read in `finally` (a plain `let` would be narrowed to false).
  const connection = { isBroken: false, isLocked: false };
  try {
    const { rows: lock } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [pruneLockKey]);
    connection.isLocked = lock[0]?.locked === true;
    if (!connection.isLocked) throw new AuditPruneRefusedError('another audit prune is running: try again when it has finished');
    // The lock is taken outside the transaction: a repeatable-read snapshot taken before it could
    // predate a prune that committed a moment ago.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const result = await pruneInSnapshot({ sql: client, keyring, before, dryRun });
      await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        connection.isBroken = true;
      });
      if (sqlStateOf(error) === '42501') {
        throw new AuditPruneRefusedError(
          'this database role may not delete audit rows (the gateway role is append-only on purpose): run the prune with the migrator role (DATABASE_MIGRATION_URL)',
        );
      }
      throw error;
    }
  } finally {
    if (connection.isLocked && !connection.isBroken) {
      await client.query('SELECT pg_advisory_unlock($1)', [pruneLockKey]).catch(() => {
        connection.isBroken = true;
      });
    }
    // A session whose unlock failed may still hold the lock: discarded, not reused.
    client.release(connection.isBroken);
  }
}

async function pruneInSnapshot(options: { sql: Sql; keyring: Keyring; before: Date; dryRun: boolean }): Promise<AuditPruneResult> {
  const { sql, keyring, before, dryRun } = options;
  const { rows: clock } = await sql.query<{ now: Date }>('SELECT now() AS now');
  const now = clock[0]?.now ?? new Date();
  if (before.getTime() > now.getTime())
    throw new AuditPruneRefusedError(`--before ${before.toISOString()} is in the future (the database's clock says ${now.toISOString()})`);
  const publicKey = await readAuditPublicKey(sql);
  const latest = await readLatestCheckpoint(sql);
  if (publicKey === undefined || latest === undefined) throw new AuditPruneRefusedError('nothing is sealed yet: there is nothing to prune');
  let key: AuditSigningKey;
  try {
    key = await openAuditSigningKeyRow(sql, publicKey.id, keyring);
  } catch (error) {
    throw new AuditPruneRefusedError(
      `the audit signing key ${publicKey.keyName} does not open with this keyring (HOLDFAST_ENCRYPTION_KEYS): only its holder may authorise a prune (${String(error)})`,
    );
  }
  // The whole log, in this snapshot: a prune must never sign over tampering.
  const report = await verifyInSnapshot({ sql, keyring });
  const [problem] = report.problems;
  if (!report.ok || problem !== undefined) {
    const where = problem?.leafIndex === null || problem?.leafIndex === undefined ? '' : ` at leaf ${String(problem.leafIndex)}`;
    throw new AuditPruneRefusedError(
      `the audit log does not verify${where} (${problem?.kind ?? 'unknown'}: ${problem?.message ?? ''}): nothing pruned — a prune mark must never cover tampering; run holdfast audit verify`,
      problem,
    );
  }
  const previous = report.prunedBelow;
  // The first leaf, from the current mark up to the signed size, whose event is not older than the cutoff.
  const { rows: first } = await sql.query<{ leaf_index: string | null }>(
    `SELECT min(l.leaf_index)::text AS leaf_index
       FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id
      WHERE l.leaf_index >= $1 AND l.leaf_index < $2 AND e.occurred_at >= $3`,
    [previous, latest.treeSize, before],
  );
  const firstKept = first[0]?.leaf_index;
  const target = Math.max(previous, firstKept === null || firstKept === undefined ? latest.treeSize : Number(firstKept));
  const { rows: counts } = await sql.query<{ deletable: string; kept: string }>(
    `SELECT count(*) FILTER (WHERE NOT ${pendingWebhook})::text AS deletable, count(*) FILTER (WHERE ${pendingWebhook})::text AS kept
       FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id
      WHERE l.leaf_index < $1`,
    [target],
  );
  const deletable = Number(counts[0]?.deletable ?? 0);
  const keptRows = Number(counts[0]?.kept ?? 0);
  const result: AuditPruneResult = {
    dryRun,
    before,
    prunedBelow: target,
    previousPrunedBelow: previous,
    treeSize: latest.treeSize,
    deletedRows: deletable,
    keptRows,
    note: null,
  };
  if (dryRun || (target === previous && deletable === 0)) return result;
  const { rowCount } = await sql.query(
    `DELETE FROM audit_events e USING audit_leaves l
      WHERE l.audit_event_id = e.id AND l.leaf_index < $1 AND NOT ${pendingWebhook}`,
    [target],
  );
  // Rows below an existing mark (kept earlier for a pending webhook) need no new mark.
  if (target === previous) return { ...result, deletedRows: rowCount ?? 0 };
  const note = signPruneMark({ key, treeSize: latest.treeSize, rootHash: latest.rootHash, prunedBelow: target });
  await sql.query(
    `INSERT INTO audit_prune_marks (pruned_below, tree_size, root_hash, note, key_name, pruned_before, deleted_rows, kept_rows)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [target, latest.treeSize, Buffer.from(latest.rootHash), note, key.keyName, before, rowCount ?? 0, keptRows],
  );
  return { ...result, deletedRows: rowCount ?? 0, note };
}

/**
 * Why `holdfast audit proof <reference>` found no row: pruned by retention (its leaf is below the
 * highest mark — the leaf hash is kept, the event is not), deleted otherwise, or never there.
 * Wording for an operator; the proof itself never trusts this.
 */
export async function explainMissingAuditEvent(sql: Sql, reference: string): Promise<string> {
  const { rows: marks } = await sql.query<{ pruned_below: string | null }>('SELECT max(pruned_below)::text AS pruned_below FROM audit_prune_marks');
  const prunedBelow = Number(marks[0]?.pruned_below ?? 0);
  if (/^\d{1,19}$/.test(reference)) {
    const { rows } = await sql.query<{ leaf_index: string }>('SELECT leaf_index::text AS leaf_index FROM audit_leaves WHERE audit_event_id = $1::bigint', [
      reference,
    ]);
    const leaf = rows[0];
    if (leaf !== undefined && Number(leaf.leaf_index) < prunedBelow) {
      return `audit event ${reference} was pruned by audit retention (leaf ${leaf.leaf_index} is below the signed "pruned below ${String(prunedBelow)}" mark): its leaf hash is kept, so later proofs still verify, but the event itself is gone and cannot be proved`;
    }
    if (leaf !== undefined) return `audit event ${reference} (leaf ${leaf.leaf_index}) is gone although no prune covers it: run holdfast audit verify`;
  } else if (prunedBelow > 0) {
    return `no audit event ${reference}: events of leaves below ${String(prunedBelow)} were pruned by audit retention, it may have been one of them`;
  }
  return `no audit event ${reference}`;
}
