import { HoldfastError } from '@holdfast/core';
import type { Database } from '../client';
import { DatabaseDeadlineError, type DatabaseDeadline } from './deadline';
import { isTransientDatabaseError } from './transient';

/** What one request that had to ride out a database problem met: how many tries, which errors, how long. */
export interface DatabaseRetryReport {
  attempts: number;
  errors: string[];
  ms: number;
  outcome: 'ok' | 'gave_up';
}

/** What the retry needs (the api's ServiceDeps has all of it, so services pass their deps as they are). */
export interface DatabaseRetryOptions {
  db: Pick<Database, 'reportError'>;
  /** How long one request may keep retrying, from its first try. */
  requestDeadlineMs: number;
  /** Told when work needed retries; must not throw. */
  onRetried?: (event: DatabaseRetryReport) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries idempotent database work while the database fails over (connection errors, 25006,
 * 57P03, a commit not acknowledged by the sync standby …), with backoff, until the request's
 * deadline. Only for work that is safe to repeat: reads, and verifications (the attempt id makes
 * a repeated verification return the recorded outcome). Past the deadline it answers 503, which
 * clients may retry on another gateway with the same attempt id.
 *
 * `work` gets the deadline: it passes it to `withTransaction` / `runAtomicStatement` (which tear
 * a connection down at it) and to any retried step inside it (`enclosing`: one request, one budget).
 */
export async function withDatabaseRetry<T>(
  deps: DatabaseRetryOptions,
  work: (deadline: number) => Promise<T>,
  signal?: AbortSignal,
  enclosing: DatabaseDeadline = null,
): Promise<T> {
  const started = Date.now();
  const deadline = Math.min(started + deps.requestDeadlineMs, enclosing ?? Number.POSITIVE_INFINITY);
  const errors: string[] = [];
  const report = (outcome: 'ok' | 'gave_up'): void => {
    if (errors.length > 0) deps.onRetried?.({ attempts: errors.length + 1, errors, ms: Date.now() - started, outcome });
  };
  for (let attempt = 0; ; attempt += 1) {
    try {
      const result = await untilDeadline(work, deadline);
      report('ok');
      return result;
    } catch (error) {
      if (error instanceof DatabaseDeadlineError) {
        report('gave_up');
        throw new HoldfastError('DATABASE_UNAVAILABLE', 'the database did not answer within the request deadline; retry with the same attempt id', {
          cause: error,
        });
      }
      if (!isTransientDatabaseError(error)) throw error;
      errors.push(describeError(error));
      deps.db.reportError(error);
      // Short pauses: the first try after the new primary accepts writes should come quickly.
      const delay = Math.min(50 * 2 ** attempt, 250);
      // A caller that went away (its SDK moved to another gateway) gets no more retries here:
      // abandoned work would only queue in front of live requests once the database is back.
      if (signal?.aborted === true || Date.now() + delay >= deadline) {
        report('gave_up');
        throw new HoldfastError('DATABASE_UNAVAILABLE', 'the database is not reachable right now; retry with the same attempt id', { cause: error });
      }
      await sleep(delay);
    }
  }
}

/**
 * One try of `work`, given at most `ms`: for work that
 * must not hold up an answer already decided — an audit row of a refused request, spooled instead
 * when the database does not take it in time. Throws a transient error when the time runs out.
 */
export async function runWithinDeadline<T>(ms: number, work: (deadline: number) => Promise<T>): Promise<T> {
  return untilDeadline(work, Date.now() + ms);
}

/**
 * The work's result, or DatabaseDeadlineError once the deadline passes — whatever the work is waiting on
 * (a commit waiting for a standby across a partition, a read on a silent link). The work itself
 * is ended by `tearDownAtDeadline` where it holds a pooled connection; its late outcome is ignored.
 */
async function untilDeadline<T>(start: (deadline: number) => Promise<T>, deadline: number): Promise<T> {
  // A deadline already past (the backoff ate it): nothing is started at all.
  if (Date.now() >= deadline) throw new DatabaseDeadlineError('request deadline passed');
  const work = start(deadline);
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        reject(new DatabaseDeadlineError('request deadline passed'));
      },
      Math.max(0, deadline - Date.now()),
    );
  });
  // A late failure of abandoned work must not surface as an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, passed]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short, secret-free label for an error: its code (SQLSTATE / errno) or the start of its message. */
function describeError(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return code;
  return typeof message === 'string' ? message.slice(0, 60) : 'unknown';
}
