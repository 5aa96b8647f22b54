import { HoldfastError } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import { withDatabaseRetry, type DatabaseRetryReport } from './with-database-retry';

const failover = (): Error => Object.assign(new Error('the database system is starting up'), { code: '57P03' });

function options(deadlineMs: number) {
  const reported: unknown[] = [];
  const retries: DatabaseRetryReport[] = [];
  return {
    reported,
    retries,
    deps: {
      db: {
        reportError: (error: unknown) => {
          reported.push(error);
        },
      },
      requestDeadlineMs: deadlineMs,
      onRetried: (event: DatabaseRetryReport) => {
        retries.push(event);
      },
    },
  };
}

describe('[DB_RETRY] retrying inside the request deadline', () => {
  it('retries transient errors, tells the endpoint chooser, and reports the retries once', async () => {
    const { deps, reported, retries } = options(5_000);
    let tries = 0;
    const result = await withDatabaseRetry(deps, () => {
      tries += 1;
      return tries < 3 ? Promise.reject(failover()) : Promise.resolve('done');
    });
    expect(result).toBe('done');
    expect(reported).toHaveLength(2);
    expect(retries).toEqual([expect.objectContaining({ attempts: 3, errors: ['57P03', '57P03'], outcome: 'ok' })]);
  });

  it('passes other errors through at once, without reporting them', async () => {
    const { deps, reported, retries } = options(5_000);
    const conflict = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(withDatabaseRetry(deps, () => Promise.reject(conflict))).rejects.toBe(conflict);
    expect(reported).toEqual([]);
    expect(retries).toEqual([]);
  });

  it('answers DATABASE_UNAVAILABLE past the deadline, and stops at once when the caller has gone', async () => {
    const { deps, retries } = options(200);
    const started = Date.now();
    const error = await withDatabaseRetry(deps, () => Promise.reject(failover())).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HoldfastError);
    expect((error as HoldfastError).code).toBe('DATABASE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(retries.at(-1)?.outcome).toBe('gave_up');

    const aborted = new AbortController();
    aborted.abort();
    let tries = 0;
    const gone = await withDatabaseRetry(
      options(60_000).deps,
      () => {
        tries += 1;
        return Promise.reject(failover());
      },
      aborted.signal,
    ).catch((caught: unknown) => caught);
    expect((gone as HoldfastError).code).toBe('DATABASE_UNAVAILABLE');
    expect(tries).toBe(1);
  });
});
