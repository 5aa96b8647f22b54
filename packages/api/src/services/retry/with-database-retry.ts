import { HoldfastError } from '@holdfast/core';
import { isTransientDatabaseError } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries idempotent database work while the database fails over (connection errors, 25006,
 * 57P03, a commit not acknowledged by the sync standby …), with backoff, until the request's
 * deadline. Only for work that is safe to repeat: reads, and verifications (the attempt id makes
 * a repeated verification return the recorded outcome). Past the deadline it answers 503, which
 * clients may retry on another gateway with the same attempt id.
 */
export async function withDatabaseRetry<T>(deps: ServiceDeps, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + deps.requestDeadlineMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      deps.db.reportError(error);
      // Short pauses: the first try after the new primary accepts writes should come quickly.
      const delay = Math.min(50 * 2 ** attempt, 250);
      // A caller that went away (its SDK moved to another gateway) gets no more retries here:
      // abandoned work would only queue in front of live requests once the database is back.
      if (signal?.aborted === true || Date.now() + delay >= deadline) {
        throw new HoldfastError('DATABASE_UNAVAILABLE', 'the database is not reachable right now; retry with the same attempt id', { cause: error });
      }
      await sleep(delay);
    }
  }
}
