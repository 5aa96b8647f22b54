// Sends the spool back to the database once it takes writes again: the oldest segment first, in
// batches of `INSERT … ON CONFLICT (event_id) DO NOTHING`, and deletes the segment only when all
// of it is in the table. A gateway killed in between sends the segment again on restart: the
// unique event id makes that a no-op, so every event is in the table exactly once.
import { errorChain, insertSpooledAuditEvents, isTransientDatabaseError, type Database, type SpooledAuditEvent } from '@holdfast/db';
import type { AuditSpool } from './audit-spool';

export interface SpoolReplayerOptions {
  spool: AuditSpool;
  /** The reserved pool: request traffic must not starve the replay (nor the replay the requests). */
  db: Pick<Database, 'pool' | 'reportError'>;
  /** Events per INSERT. */
  batchSize: number;
  /** A pause between batches, so a database just back is not flooded (and a replay can be watched). */
  pauseMs: number;
  /** How often an idle or failing replayer looks again. */
  intervalMs?: number;
  log: (event: string, fields?: Record<string, unknown>) => void;
}

function isRowRefusal(error: unknown): boolean {
  if (isTransientDatabaseError(error)) return false;
  return [...errorChain(error)].some(({ code }) => typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code));
}

export function startSpoolReplayer(options: SpoolReplayerOptions): { stop: () => Promise<void> } {
  const { spool, log } = options;
  let isStopped = false;
  const hasStopped = (): boolean => isStopped;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let lastFailureLogMs = 0;
  /** Ends a pause between batches early when stop() is called (a shutdown does not wait it out). */
  let wake: (() => void) | null = null;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const pauseTimer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(pauseTimer);
        resolve();
      };
    });

  /** Inserts a batch; a batch the table refuses for good is split so one bad row cannot block the rest. */
  const insert = async (events: readonly SpooledAuditEvent[]): Promise<{ confirmed: number; inserted: number }> => {
    try {
      return { confirmed: events.length, inserted: await insertSpooledAuditEvents(options.db.pool, events) };
    } catch (error) {
      // Only a row the table refuses (data exception 22xxx, constraint 23xxx) is set aside; anything
      // else (the database away, a missing column before migrations, a privilege) is retried later.
      if (!isRowRefusal(error)) throw error;
      const [single] = events;
      if (events.length === 1 && single !== undefined) {
        log('audit_spool_event_refused', { eventId: single.eventId, message: error instanceof Error ? error.message : String(error) });
        spool.drop(1, 'refused');
        return { confirmed: 0, inserted: 0 };
      }
      let confirmed = 0;
      let inserted = 0;
      for (const event of events) {
        const one = await insert([event]);
        confirmed += one.confirmed;
        inserted += one.inserted;
      }
      return { confirmed, inserted };
    }
  };

  /** Replays every segment there is now; throws on a transient error (the database is still away). */
  const replayAll = async (): Promise<void> => {
    for (;;) {
      if (hasStopped()) return;
      const segment = await spool.takeOldest();
      if (segment === null) return;
      const events = await spool.readSegment(segment);
      let inserted = 0;
      for (let start = 0; start < events.length; start += options.batchSize) {
        if (start > 0 && options.pauseMs > 0) await pause(options.pauseMs);
        if (hasStopped()) return;
        const batch = events.slice(start, start + options.batchSize);
        const result = await insert(batch);
        inserted += result.inserted;
        spool.recordReplayed(segment, result.confirmed, result.inserted);
        log('audit_spool_batch_replayed', { segment: segment.file, events: batch.length, inserted: result.inserted });
      }
      // Only now: every event of the segment is in the table.
      await spool.removeSegment(segment);
      log('audit_spool_segment_replayed', { segment: segment.file, events: events.length, inserted, duplicates: events.length - inserted });
    }
  };

  const tick = async (): Promise<void> => {
    try {
      // Segments with no event left (a torn line only) are removed too.
      if (spool.segmentCount > 0) await replayAll();
    } catch (error) {
      if (isTransientDatabaseError(error)) options.db.reportError(error);
      if (Date.now() - lastFailureLogMs > 10_000) {
        lastFailureLogMs = Date.now();
        log('audit_spool_replay_failed', { message: error instanceof Error ? error.message : String(error), events: spool.status().events });
      }
    }
  };

  const schedule = (): void => {
    if (isStopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule();
      });
    }, options.intervalMs ?? 1000);
  };

  // The first look at once: a restarted gateway replays what its previous run left.
  running = tick().finally(() => {
    running = null;
    schedule();
  });

  return {
    stop: async () => {
      isStopped = true;
      if (timer !== null) clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
