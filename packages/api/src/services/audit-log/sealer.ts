import { appendLeaf, checkpointNote, frontierRoot, openSignedNote, signNote, type Keyring, type RandomSource } from '@holdfast/core';
import type { Database, SqlClient } from '@holdfast/db';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { loadOrCreateAuditSigningKey, type AuditSigningKey } from './audit-key';
import { leafHashOf, sealedColumns, type SealedRow } from './audit-rows';
import { frontierOf, readLatestCheckpoint, type StoredCheckpoint } from './audit-tree';

/**
 * The audit sealer (issue 12). Writers insert audit rows in their own transactions (invariant 7;
 * no shared chain head on the hot path); one sealer at a time, elected with a session advisory
 * lock any gateway may take, orders newly committed rows into the append-only Merkle tree and
 * signs a checkpoint. Each pass is ONE transaction — leaves, extended frontier and signed
 * checkpoint commit together or not at all — so a sealer killed mid-pass leaves nothing half
 * done, and the next one (any gateway, within one interval: the lock dies with the session)
 * continues from the last checkpoint.
 *
 * Which rows: only those whose writing transaction is older than every running one
 * (`xid < pg_snapshot_xmin(pg_current_snapshot())`). Rows commit out of id order, so "every id up
 * to the largest seen" would skip a row whose transaction commits later; a row below the
 * snapshot's xmin is final (committed and visible, or aborted and never seen). The scan resumes
 * after a watermark in (xid, id) order stored with each checkpoint: a pass reads only new rows.
 */

export interface SealerSettings {
  /** How often the sealer (or a gateway waiting for the lock) looks; 0 = off. */
  intervalMs: number;
  /** Rows per pass (one transaction, one checkpoint). A backlog is worked off pass after pass. */
  batchSize: number;
}

export const defaultSealerSettings: SealerSettings = { intervalMs: 1_000, batchSize: 5_000 };

/** Leaves hashed between two turns of the event loop (about a millisecond of work on these machines). */
const sealYieldEvery = 128;

/** "has1": one sealer at a time across every gateway on the database (session-level lock). */
export const sealerLockKey = 0x6861_7331;

export interface SealPassResult {
  sealed: number;
  treeSize: number;
  /** The batch was full: more rows are waiting, seal again at once. */
  hasMore: boolean;
}

/** The sealer refuses to extend a checkpoint it cannot vouch for ("a log MUST NOT sign a checkpoint inconsistent with one it signed before"). */
export class SealerRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealerRefusedError';
  }
}

interface CandidateRow extends SealedRow {
  xid: string;
  horizon: string;
}

const selectCandidates = `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
SELECT ${sealedColumns}, e.xid::text AS xid, (SELECT xmin FROM horizon)::text AS horizon
  FROM audit_events e
 WHERE (e.xid, e.id) > ($1::xid8, $2::bigint)
   AND e.xid < (SELECT xmin FROM horizon)
   AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.audit_event_id = e.id)
 ORDER BY e.xid, e.id
 LIMIT $3`;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The latest checkpoint must be one this key signed, and its frontier must be its tree's. */
function requireExtendable(latest: StoredCheckpoint, key: AuditSigningKey): void {
  const opened = openSignedNote({ note: latest.note, keyName: key.keyName, publicKey: key.publicKey });
  if (opened === null || opened.treeSize !== latest.treeSize || !sameBytes(opened.rootHash, latest.rootHash)) {
    throw new SealerRefusedError(`checkpoint ${String(latest.treeSize)} is not signed by ${key.keyName}`);
  }
  if (!sameBytes(frontierRoot(latest.frontier), latest.rootHash)) {
    throw new SealerRefusedError(`checkpoint ${String(latest.treeSize)}: its frontier is not its tree's`);
  }
}

/** Rows in id order; each id is read as a bigint once (a comparator parsing both sides made ~2 n log n of them). */
function inIdOrder<Row extends SealedRow>(rows: readonly Row[]): Row[] {
  return rows
    .map((row) => ({ id: BigInt(row.id), row }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ row }) => row);
}

/**
 * One sealing pass on `client`, which holds the sealer lock: ONE transaction. Returns how many rows
 * it sealed; writes no checkpoint when there was nothing to seal.
 */
export async function sealAuditPass(options: { client: Pick<SqlClient, 'query'>; key: AuditSigningKey; batchSize: number }): Promise<SealPassResult> {
  const { client, key } = options;
  await client.query('BEGIN');
  let isDone = false;
  try {
    const latest = await readLatestCheckpoint(client);
    if (latest !== undefined) requireExtendable(latest, key);
    const { rows } = await client.query<CandidateRow>(selectCandidates, [latest?.scanXid ?? '0', latest?.scanId ?? '0', options.batchSize]);
    const last = rows.at(-1);
    if (last === undefined) {
      await client.query('COMMIT');
      isDone = true;
      return { sealed: 0, treeSize: latest?.treeSize ?? 0, hasMore: false };
    }
    const hasMore = rows.length >= options.batchSize;
    // A full batch resumes after its last row; otherwise every row below the horizon is sealed.
    const watermark = hasMore ? { xid: last.xid, id: last.id } : { xid: last.horizon, id: '0' };
    // Leaves of one pass in id order (the order writers took ids in; any order would be sound).
    const ordered = inIdOrder(rows);
    let frontier = frontierOf(latest);
    const startIndex = frontier.size;
    const leafHashes: Buffer[] = [];
    for (const [i, row] of ordered.entries()) {
      // The sealer shares its gateway's event loop with requests: hashing a second's rows in one
      // go held it ~8 ms per thousand rows (a tail every verification on that worker could land
      // in), so it hands the loop back every `sealYieldEvery` leaves.
      if (i > 0 && i % sealYieldEvery === 0) await yieldToEventLoop();
      const leafHash = leafHashOf(row);
      frontier = appendLeaf(frontier, leafHash);
      leafHashes.push(Buffer.from(leafHash));
    }
    const rootHash = frontierRoot(frontier);
    await client.query(
      `INSERT INTO audit_leaves (leaf_index, audit_event_id, leaf_hash)
       SELECT $1::bigint + n.ord - 1, n.id, n.hash FROM unnest($2::bigint[], $3::bytea[]) WITH ORDINALITY AS n(id, hash, ord)`,
      [startIndex, ordered.map((row) => row.id), leafHashes],
    );
    const note = signNote({
      body: checkpointNote({ origin: key.keyName, treeSize: frontier.size, rootHash }),
      keyName: key.keyName,
      privateKey: key.privateKey,
    });
    await client.query(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, frontier, note, key_name, scan_xid, scan_id)
       VALUES ($1, $2, $3::bytea[], $4, $5, $6::xid8, $7::bigint)`,
      [frontier.size, Buffer.from(rootHash), frontier.hashes.map((hash) => Buffer.from(hash)), note, key.keyName, watermark.xid, watermark.id],
    );
    await client.query('COMMIT');
    isDone = true;
    return { sealed: ordered.length, treeSize: frontier.size, hasMore };
  } finally {
    if (!isDone) await client.query('ROLLBACK').catch(() => undefined);
  }
}

export interface AuditSealer {
  /** Whether this process holds the sealer lock right now. */
  isSealing: () => boolean;
  stop: () => Promise<void>;
}

/**
 * Runs the sealer loop on a Database of its own (so its statements never queue behind requests,
 * nor show up in a request pool's counts). Every `intervalMs`: take the lock if free
 * (`pg_try_advisory_lock` on a connection kept checked out — the lock lives exactly as long as
 * that session), then seal until no full batch is left. Any error drops the connection, and
 * with it the lock: the next tick (here or on another gateway) starts clean.
 */
export function startAuditSealer(options: {
  db: Database;
  keyring: Keyring;
  random: RandomSource;
  settings: SealerSettings;
  /** False after this process raised the history alarm: never sign over a history it doubts. */
  isHistoryTrusted?: () => boolean;
  onPass?: (result: SealPassResult) => void;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): AuditSealer {
  const { db, settings, log } = options;
  let lockClient: SqlClient | null = null;
  let key: AuditSigningKey | null = null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let isStopped = false;
  let hasLoggedDistrust = false;
  const onClientError = (): void => {
    // The session is gone, and the lock with it; the next statement fails and drops the client.
  };

  const dropLock = (): void => {
    const client = lockClient;
    lockClient = null;
    if (client === null) return;
    // Destroyed, not returned to the pool: ending the session is what releases the lock.
    client.release(true);
  };

  const acquire = async (): Promise<boolean> => {
    if (lockClient !== null) return true;
    const client = await db.pool.connect();
    client.on('error', onClientError);
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [sealerLockKey]);
      if (rows[0]?.locked !== true) {
        client.off('error', onClientError);
        client.release();
        return false;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    lockClient = client;
    log('audit_sealer_elected');
    return true;
  };

  const tick = async (): Promise<void> => {
    if (options.isHistoryTrusted?.() === false) {
      if (!hasLoggedDistrust) log('audit_sealer_paused', { reason: 'history_rewritten' });
      hasLoggedDistrust = true;
      dropLock();
      return;
    }
    try {
      if (!(await acquire())) return;
      key ??= await loadOrCreateAuditSigningKey({ pool: db.pool, keyring: options.keyring, random: options.random });
      // A backlog is sealed pass after pass, each its own transaction and checkpoint.
      for (let pass = 0; pass < 100 && !isStopped; pass += 1) {
        const client = lockClient;
        if (client === null) return;
        const result = await sealAuditPass({ client, key, batchSize: settings.batchSize });
        options.onPass?.(result);
        if (!result.hasMore) break;
      }
    } catch (error) {
      db.reportError(error);
      log('audit_seal_failed', { message: error instanceof Error ? error.message : String(error) });
      dropLock();
    }
  };

  const schedule = (): void => {
    if (isStopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule();
      });
    }, settings.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    isSealing: () => lockClient !== null,
    stop: async () => {
      isStopped = true;
      clearTimeout(timer);
      await running;
      dropLock();
    },
  };
}
