import { HoldfastError, type AuditRecord } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import type { AuditStreamSignals } from './audit-stream-signals';
import { readLatestCheckpoint } from './audit-tree';
import { readSealedRecords } from './sealed-records';

type Sql = Pick<SqlClient, 'query'>;

/**
 * The live audit stream's reading side (issue 12): sealed records in leaf order, from a start
 * position, then as new checkpoints are sealed. Transport-free: the gateway's SSE endpoint
 * (apps/gateway/src/audit-stream) writes what it yields, and an all-applications caller (the admin
 * console, issue 13) can use it with `applicationId: undefined`.
 *
 * Exactness: only sealed leaves are read, and a leaf index is final and totally ordered, so
 * "everything after leaf N" never skips a row that committed late and never repeats one — on this
 * gateway or any other reading the same database.
 */
export interface AuditStreamSettings {
  /** Records per read (one statement; the consumer writes them before the next read). */
  pageSize: number;
  /** While notifications arrive: a re-read this often anyway, in case one was lost. */
  listeningPollMs: number;
  /** Without a listener (absent, or down): how often to re-read. */
  pollMs: number;
  /** After a failed read (the database failing over): how long before the next try. */
  errorRetryMs: number;
}

export const defaultAuditStreamSettings: AuditStreamSettings = { pageSize: 500, listeningPollMs: 10_000, pollMs: 1_000, errorRetryMs: 2_000 };

/**
 * At most `max` stream reads at once per process, whatever the number of open streams: a seal
 * wakes every stream together, and they must not take the request pool's connections from logins.
 * A read holds its connection only for its two statements; a waiting stream holds none.
 */
export class AuditStreamReads {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly max = 2) {}

  async run<T>(read: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.running >= this.max) {
      await new Promise<void>((resolve, reject) => {
        const turn = (): void => {
          signal?.removeEventListener('abort', gone);
          resolve();
        };
        const gone = (): void => {
          const at = this.queue.indexOf(turn);
          if (at !== -1) this.queue.splice(at, 1);
          reject(new Error('audit stream closed'));
        };
        this.queue.push(turn);
        signal?.addEventListener('abort', gone, { once: true });
      });
    } else {
      this.running += 1;
    }
    try {
      return await read();
    } finally {
      // The permit passes straight to the next reader (running stays counted), or is given back.
      const next = this.queue.shift();
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}

export interface AuditStreamStart {
  /** Resume: leaves after this index (-1: from the first leaf). Wins over `since`. */
  afterLeafIndex?: number | undefined;
  /** Only events that occurred at or after this time (a first connection's look back; kept on resume). */
  since?: Date | undefined;
}

export interface AuditStream {
  /** Where the stream starts: records with a leaf index above this one. */
  readonly afterLeafIndex: number;
  /** The sealed tree's size when it was opened. */
  readonly treeSize: number;
  /**
   * Batches of records in leaf order, each yielded once; waits (holding no connection) between
   * seals. Ends when `signal` aborts. A failed read is reported and retried, never skipped.
   */
  batches: (signal: AbortSignal) => AsyncGenerator<AuditRecord[], void, undefined>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Resolves the start position (one short read: the latest checkpoint, and with `since` the first
 * leaf since then) and returns the stream. Throws BAD_REQUEST for a resume position beyond the
 * sealed tree: such an id did not come from this log (another deployment, or a database restored
 * to an older copy), and waiting for it would hide that.
 */
export async function openAuditStream(options: {
  sql: Sql;
  /** Only this application's events (a relying application's stream); undefined = all (admin). */
  applicationId: string | undefined;
  start: AuditStreamStart;
  signals?: AuditStreamSignals | undefined;
  reads?: AuditStreamReads | undefined;
  settings?: Partial<AuditStreamSettings> | undefined;
  /** A failed read while streaming (logged by the caller; the stream retries). */
  onReadError?: ((error: unknown) => void) | undefined;
}): Promise<AuditStream> {
  const { sql, applicationId, signals } = options;
  const settings: AuditStreamSettings = { ...defaultAuditStreamSettings, ...options.settings };
  const reads = options.reads ?? new AuditStreamReads();
  const { since } = options.start;
  const latest = await readLatestCheckpoint(sql);
  const treeSize = latest?.treeSize ?? 0;
  let afterLeafIndex: number;
  if (options.start.afterLeafIndex !== undefined) {
    afterLeafIndex = options.start.afterLeafIndex;
    if (afterLeafIndex >= treeSize) {
      throw new HoldfastError('BAD_REQUEST', `leaf ${String(afterLeafIndex)} is beyond this audit log's sealed tree (${String(treeSize)} leaves)`);
    }
  } else if (since !== undefined) {
    // The first sealed leaf of an event since then (the (application_id, occurred_at) index
    // finds it for a scoped stream); none yet = start at the tree's end.
    const { rows } = await sql.query<{ first: string | null }>(
      `SELECT min(l.leaf_index)::text AS first
         FROM audit_events e JOIN audit_leaves l ON l.audit_event_id = e.id
        WHERE e.occurred_at >= $1::timestamptz AND ($2::uuid IS NULL OR e.application_id = $2::uuid)`,
      [since, applicationId ?? null],
    );
    const first = rows[0]?.first ?? null;
    afterLeafIndex = first === null ? treeSize - 1 : Number(first) - 1;
  } else {
    // A live stream: what is sealed from now on.
    afterLeafIndex = treeSize - 1;
  }

  async function* batches(signal: AbortSignal): AsyncGenerator<AuditRecord[], void, undefined> {
    let after = afterLeafIndex;
    // Read through a call: the flag changes across awaits.
    const isGone = (): boolean => signal.aborted;
    while (!isGone()) {
      // Armed before the read: a seal committed after it wakes the wait below.
      const armed = signals?.isListening === true ? signals.arm() : undefined;
      let records: AuditRecord[];
      try {
        const page = await reads.run(
          () => readSealedRecords(sql, { afterLeafIndex: after, applicationId, limit: settings.pageSize, ...(since === undefined ? {} : { since }) }),
          signal,
        );
        records = page.records;
        after = page.lastLeafIndex;
      } catch (error) {
        armed?.cancel();
        if (isGone()) return;
        options.onReadError?.(error);
        await sleep(settings.errorRetryMs, signal);
        continue;
      }
      if (records.length > 0) yield records;
      if (records.length >= settings.pageSize) {
        // A backlog: read on at once.
        armed?.cancel();
        continue;
      }
      if (armed === undefined) await sleep(settings.pollMs, signal);
      else await armed.wait(settings.listeningPollMs, signal);
    }
  }

  return { afterLeafIndex, treeSize, batches };
}
