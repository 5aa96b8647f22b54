// The gateway's outage spool (issue 12): audit events written on their own (refused requests …)
// that the database could not take, kept on local disk until it can. At-least-once, like rsyslog's
// disk queues and the OpenTelemetry Collector's file_storage: the replayer (spool-replayer.ts)
// deletes a segment only after every event in it is in the table, and the table's unique
// event_id absorbs what a crash makes it send twice.
//
// On disk: `<dir>/<16-digit sequence>.ndjson`, one JSON line per event (spool-line.ts). Segments
// are opened O_APPEND, each batch of appends is one write + fdatasync (a request's `append`
// resolves after it), and the directory is fsync'd after a segment is created or removed, so an
// acknowledged event survives a crash or power loss. A new process never appends to an old
// segment (its tail may be torn): it starts a new one. One process per directory (each cluster
// worker has its own, by slot).
import type { SpooledAuditEvent } from '@holdfast/db';
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parseSegment, spoolLineOf } from './spool-line';

export interface SpoolSegment {
  readonly seq: number;
  readonly file: string;
  bytes: number;
  events: number;
  /** Events of this segment already confirmed in the table by a replay in progress. */
  replayed: number;
  /** occurred_at of its first event (ms), null while empty. */
  oldestMs: number | null;
}

export interface AuditSpoolStatus {
  /** Events on disk not yet confirmed in the table. */
  events: number;
  bytes: number;
  /** Age of the oldest spooled event, null when the spool is empty. */
  oldestAgeMs: number | null;
  dropped: number;
  replayed: number;
  duplicates: number;
}

export interface AuditSpoolOptions {
  dir: string;
  /** Cap on the spool's bytes on disk; beyond it new events are dropped (counted and logged), never waited for. */
  maxBytes: number;
  /** A segment is closed (and becomes replayable) once it holds this many bytes. */
  segmentBytes?: number;
  clock?: () => number;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

interface Pending {
  line: string;
  bytes: number;
  occurredMs: number;
  done: () => void;
}

const segmentName = /^(\d{16})\.ndjson$/;
const fileOf = (seq: number): string => `${String(seq).padStart(16, '0')}.ndjson`;

/** fsync a directory, so a file created or removed in it stays so after a crash. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class AuditSpool {
  private readonly options: AuditSpoolOptions & { segmentBytes: number; clock: () => number };
  /** Oldest first; the last one may be the segment being appended to (`active`). */
  private readonly segments: SpoolSegment[];
  private active: { segment: SpoolSegment; handle: FileHandle } | null = null;
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private nextSeq: number;
  /** Every file operation runs on this chain, one at a time: appends, sealing, removal. */
  private chain: Promise<void> = Promise.resolve();
  private isFlushScheduled = false;
  private hasDirectory: boolean;
  private lastDropLogMs = 0;
  private droppedSinceLog = 0;
  dropped = 0;
  replayed = 0;
  duplicates = 0;

  private constructor(options: AuditSpool['options'], segments: SpoolSegment[], hasDirectory: boolean) {
    this.options = options;
    this.segments = segments;
    this.hasDirectory = hasDirectory;
    this.nextSeq = (segments.at(-1)?.seq ?? 0) + 1;
  }

  /** Opens the spool in `dir` (created on the first event), counting what an earlier process left. */
  static async open(options: AuditSpoolOptions): Promise<AuditSpool> {
    const resolved = { ...options, segmentBytes: options.segmentBytes ?? 1024 * 1024, clock: options.clock ?? Date.now };
    let names: string[];
    try {
      names = await readdir(options.dir);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      return new AuditSpool(resolved, [], false);
    }
    const segments: SpoolSegment[] = [];
    for (const name of names.sort()) {
      const match = segmentName.exec(name);
      if (match?.[1] === undefined) continue;
      const text = await readFile(path.join(options.dir, name), 'utf8');
      const { events, skipped } = parseSegment(text);
      if (skipped > 0) options.log('audit_spool_lines_skipped', { segment: name, skipped });
      segments.push({
        seq: Number(match[1]),
        file: name,
        bytes: Buffer.byteLength(text),
        events: events.length,
        replayed: 0,
        oldestMs: events[0]?.occurredAt.getTime() ?? null,
      });
    }
    if (segments.length > 0) options.log('audit_spool_found', { segments: segments.length, events: segments.reduce((sum, s) => sum + s.events, 0) });
    return new AuditSpool(resolved, segments, true);
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Segment files on disk (the one being appended to included). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * Keeps `event` until the database takes it. Resolves once it is on disk (fdatasync'd) — or at
   * once when the spool is full (the event is dropped: counted and logged, the request goes on).
   * Never rejects.
   */
  append(event: SpooledAuditEvent): Promise<void> {
    const line = spoolLineOf(event);
    const bytes = Buffer.byteLength(line);
    if (this.diskBytes() + this.queuedBytes + bytes > this.options.maxBytes) {
      this.drop(1, 'full');
      return Promise.resolve();
    }
    this.queuedBytes += bytes;
    return new Promise<void>((resolve) => {
      this.queue.push({ line, bytes, occurredMs: event.occurredAt.getTime(), done: resolve });
      if (!this.isFlushScheduled) {
        this.isFlushScheduled = true;
        // Everything appended until the chain gets here is one write and one fdatasync.
        void this.run(() => this.flush());
      }
    });
  }

  status(): AuditSpoolStatus {
    let events = 0;
    let oldestMs: number | null = null;
    for (const segment of this.segments) {
      const left = segment.events - segment.replayed;
      if (left <= 0) continue;
      events += left;
      if (segment.oldestMs !== null && (oldestMs === null || segment.oldestMs < oldestMs)) oldestMs = segment.oldestMs;
    }
    const oldestAgeMs = oldestMs === null ? null : Math.max(0, this.options.clock() - oldestMs);
    return { events, bytes: this.diskBytes(), oldestAgeMs, dropped: this.dropped, replayed: this.replayed, duplicates: this.duplicates };
  }

  /**
   * The oldest segment, closed for appends (later events go to a new one), for the replayer; null
   * when the spool is empty.
   */
  takeOldest(): Promise<SpoolSegment | null> {
    return this.run(async () => {
      const oldest = this.segments[0];
      if (oldest === undefined) return null;
      if (this.active?.segment === oldest) await this.closeActive();
      return oldest;
    });
  }

  /** The events of a closed segment, in the order they were spooled. */
  async readSegment(segment: SpoolSegment): Promise<SpooledAuditEvent[]> {
    const { events, skipped } = parseSegment(await readFile(path.join(this.options.dir, segment.file), 'utf8'));
    if (skipped > 0) this.options.log('audit_spool_lines_skipped', { segment: segment.file, skipped });
    return events;
  }

  /** Counts events of `segment` confirmed in the table (`inserted` of them new). */
  recordReplayed(segment: SpoolSegment, confirmed: number, inserted: number): void {
    segment.replayed = Math.min(segment.events, segment.replayed + confirmed);
    this.replayed += confirmed;
    this.duplicates += confirmed - inserted;
  }

  /** Deletes a replayed segment: only after every event of it is in the table (at-least-once). */
  removeSegment(segment: SpoolSegment): Promise<void> {
    return this.run(async () => {
      await unlink(path.join(this.options.dir, segment.file));
      await syncDirectory(this.options.dir);
      const index = this.segments.indexOf(segment);
      if (index >= 0) this.segments.splice(index, 1);
    });
  }

  /** Counts events that can never be written (the spool full, a disk error, a row the table refuses). */
  drop(count: number, reason: string): void {
    this.dropped += count;
    this.droppedSinceLog += count;
    const now = this.options.clock();
    // At most one line per 10 s: a spool that is full drops every event until the database is back.
    if (now - this.lastDropLogMs >= 10_000) {
      this.options.log('audit_spool_dropped', { events: this.droppedSinceLog, reason, maxBytes: this.options.maxBytes });
      this.lastDropLogMs = now;
      this.droppedSinceLog = 0;
    }
  }

  /** Writes what is queued and closes the open segment. */
  close(): Promise<void> {
    return this.run(async () => {
      await this.flush();
      await this.closeActive();
    });
  }

  private diskBytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  private run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async flush(): Promise<void> {
    this.isFlushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const bytes = batch.reduce((sum, pending) => sum + pending.bytes, 0);
    this.queuedBytes -= bytes;
    try {
      const { segment, handle } = await this.writableSegment();
      const data = Buffer.from(batch.map((pending) => pending.line).join(''));
      for (let offset = 0; offset < data.length;) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
      await handle.datasync();
      segment.bytes += data.length;
      segment.events += batch.length;
      segment.oldestMs ??= batch[0]?.occurredMs ?? null;
    } catch (error) {
      this.options.log('audit_spool_write_failed', { message: error instanceof Error ? error.message : String(error) });
      this.drop(batch.length, 'write_failed');
      // A segment that failed mid-write may end in a torn line: the next batch starts a new one.
      await this.closeActive().catch(() => undefined);
    }
    for (const pending of batch) pending.done();
  }

  private async writableSegment(): Promise<{ segment: SpoolSegment; handle: FileHandle }> {
    if (this.active !== null && this.active.segment.bytes < this.options.segmentBytes) return this.active;
    await this.closeActive();
    if (!this.hasDirectory) {
      await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
      await syncDirectory(path.dirname(this.options.dir));
      this.hasDirectory = true;
    }
    const seq = this.nextSeq;
    this.nextSeq += 1;
    const file = fileOf(seq);
    // 'a' = O_WRONLY | O_CREAT | O_APPEND; 0600: audit details name users and applications.
    const handle = await open(path.join(this.options.dir, file), 'a', 0o600);
    await syncDirectory(this.options.dir);
    const segment: SpoolSegment = { seq, file, bytes: 0, events: 0, replayed: 0, oldestMs: null };
    this.segments.push(segment);
    this.active = { segment, handle };
    return this.active;
  }

  private async closeActive(): Promise<void> {
    const active = this.active;
    if (active === null) return;
    this.active = null;
    await active.handle.close();
  }
}
