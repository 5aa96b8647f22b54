import { HoldfastError } from '@holdfast/core';
import { createDatabase, type Database } from '@holdfast/db';
import { createTestDatabase } from '@holdfast/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { searchAuditEvents, searchErrorOf, withProofSlot } from './search-audit-events';

describe('admin.audit.search: a search cut off by its statement timeout', () => {
  let db: Database;
  let adminUrl: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await createTestDatabase(inject('pgAdminUrl'));
    drop = database.drop;
    adminUrl = database.url;
    db = createDatabase({ url: database.gatewayUrl, poolMax: 4 });
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('is BAD_REQUEST ("narrow it") at once, not retried until the deadline and answered DATABASE_UNAVAILABLE', async () => {
    // An honest trigger: the search's own statement waits on a lock another session holds on
    // audit_events, until its (shortened) statement_timeout cancels it with 57014.
    const holder = new pg.Client({ connectionString: adminUrl });
    await holder.connect();
    const retried: number[] = [];
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const error: unknown = await searchAuditEvents({
        deps: { db, requestDeadlineMs: 8_000, onRetried: (report) => retried.push(report.attempts) },
        filters: {},
        limit: 10,
        cursor: null,
        statementTimeoutMs: 200,
      }).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(HoldfastError);
      expect(error).toMatchObject({ code: 'BAD_REQUEST' });
      expect((error as Error).message).toMatch(/narrow it/);
      // One try: well inside the deadline, and no retry reported.
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(retried).toEqual([]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    // Unlocked, the same search answers.
    expect(await searchAuditEvents({ deps: { db, requestDeadlineMs: 8_000 }, filters: {}, limit: 10, cursor: null })).toEqual({
      events: [],
      nextCursor: null,
    });
  });

  it('maps only 57014: other errors pass unchanged (a failover stays transient)', () => {
    const other = Object.assign(new Error('terminating connection'), { code: '57P01' });
    expect(searchErrorOf(other)).toBe(other);
    expect(searchErrorOf(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('admin.audit.get: one inclusion proof build at a time per process', () => {
  it('a second build waits briefly, then is GATEWAY_OVERLOADED (busy, retry); one that waits long enough runs after the first', async () => {
    let finish = (): void => undefined;
    const order: string[] = [];
    const first = withProofSlot(
      () =>
        new Promise<string>((resolve) => {
          finish = () => {
            order.push('first');
            resolve('first');
          };
        }),
    );
    await expect(withProofSlot(() => Promise.resolve('second'), 50)).rejects.toMatchObject({ code: 'GATEWAY_OVERLOADED', retryAfterMs: 1_000 });
    const third = withProofSlot(() => {
      order.push('third');
      return Promise.resolve('third');
    }, 5_000);
    setTimeout(() => {
      finish();
    }, 100);
    expect(await Promise.all([first, third])).toEqual(['first', 'third']);
    expect(order).toEqual(['first', 'third']);
    // A failed build frees the slot too.
    await expect(withProofSlot(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withProofSlot(() => Promise.resolve('after'), 0)).toBe('after');
  });
});
