import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queryDescribedOnce } from './described-once';

/**
 * Issue 9: the hot path's named statements are described once per connection. Against a real
 * Postgres: the rows are exactly what pg's own query gives (every parsed type, nulls, several
 * executions, a pool and a client), the server sends a RowDescription only on a connection's first
 * execution, and errors leave the statement and the connection usable.
 */
describe('[DESCRIBED_ONCE] named statements described once per connection', () => {
  const pool = new pg.Pool({ connectionString: inject('pgAdminUrl'), max: 1 });
  const table = `described_once_${String(process.pid)}`;
  const text = `SELECT id, label, amount, at, flag, data, tags, amount::text AS amount_text, CASE WHEN $2::boolean THEN NULL ELSE label END AS maybe
                  FROM ${table} WHERE id >= $1 ORDER BY id`;
  beforeAll(async () => {
    await pool.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id int PRIMARY KEY, label text, amount bigint, at timestamptz, flag boolean, data bytea, tags text[])`,
    );
    await pool.query(
      `INSERT INTO ${table} VALUES (1, 'one', 9007199254740993, '2026-11-30T05:00:00.123Z', true, '\\x00ff', '{a,b}'), (2, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
  });
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  });

  it('gives the rows pg gives, on a pool and on a client, execution after execution', async () => {
    const expected = await pool.query({ text, values: [1, false] });
    expect(expected.rows).toHaveLength(2);
    const first = expected.rows[0] as Record<string, unknown>;
    expect(first).toMatchObject({ id: 1, amount: '9007199254740993', flag: true, tags: ['a', 'b'], data: Buffer.from([0, 255]) });
    expect(first.at).toBeInstanceOf(Date);
    for (let i = 0; i < 3; i += 1) {
      const viaPool = await queryDescribedOnce(pool, { name: 'described_once_probe', text, values: [1, false] });
      expect(viaPool.rows).toEqual(expected.rows);
      expect(viaPool.rowCount).toBe(2);
      expect(viaPool.fields.map((f) => f.name)).toEqual(expected.fields.map((f) => f.name));
    }
    const client = await pool.connect();
    try {
      const nulls = await queryDescribedOnce(client, { name: 'described_once_probe', text, values: [2, true] });
      expect(nulls.rows).toEqual([{ id: 2, label: null, amount: null, at: null, flag: null, data: null, tags: null, amount_text: null, maybe: null }]);
      // The rows are each their own object: one result's row is not another's.
      const again = await queryDescribedOnce<{ maybe: string | null }>(client, { name: 'described_once_probe', text, values: [1, false] });
      const row = again.rows[0];
      expect(row).toBeDefined();
      if (row !== undefined) row.maybe = 'changed';
      expect((await queryDescribedOnce(client, { name: 'described_once_probe', text, values: [1, false] })).rows[0]).toMatchObject({ maybe: 'one' });
    } finally {
      client.release();
    }
  });

  it('the server describes the statement only on the first execution on a connection', async () => {
    const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await client.connect();
    try {
      let descriptions = 0;
      let rowsSeen = 0;
      // pg's Connection emits every backend message by name; count what the server sent.
      const connection = (client as unknown as { connection: { on: (event: string, listener: () => void) => void } }).connection;
      connection.on('rowDescription', () => {
        descriptions += 1;
      });
      connection.on('dataRow', () => {
        rowsSeen += 1;
      });
      for (let i = 0; i < 5; i += 1) await queryDescribedOnce(client, { name: 'described_once_count', text, values: [1, false] });
      expect(rowsSeen).toBe(10);
      expect(descriptions).toBe(1);
      // pg's own named query describes every time (what this saves).
      for (let i = 0; i < 2; i += 1) await client.query({ name: 'described_once_count', text, values: [1, false] });
      expect(descriptions).toBe(3);
    } finally {
      await client.end();
    }
  });

  it('an error fails that execution only: the statement and the connection keep working', async () => {
    const client = await pool.connect();
    try {
      const insert = `INSERT INTO ${table} (id, label) VALUES ($1, $2) RETURNING id, label`;
      expect((await queryDescribedOnce(client, { name: 'described_once_insert', text: insert, values: [10, 'ten'] })).rows).toEqual([{ id: 10, label: 'ten' }]);
      await expect(queryDescribedOnce(client, { name: 'described_once_insert', text: insert, values: [10, 'again'] })).rejects.toMatchObject({ code: '23505' });
      // A value the server refuses fails that execution.
      await expect(queryDescribedOnce(client, { name: 'described_once_insert', text: insert, values: ['not a number', 'x'] })).rejects.toMatchObject({
        code: '22P02',
      });
      // A value the driver cannot turn into a parameter fails before Bind goes out (and, unlike
      // pg's own path, leaves the prepared statement in place: the next execution works).
      const unsendable = {
        toPostgres: (): string => {
          throw new Error('cannot be sent');
        },
      };
      await expect(queryDescribedOnce(client, { name: 'described_once_insert', text: insert, values: [12, unsendable] })).rejects.toThrow('cannot be sent');
      expect((await queryDescribedOnce(client, { name: 'described_once_insert', text: insert, values: [11, 'eleven'] })).rows).toEqual([
        { id: 11, label: 'eleven' },
      ]);
      expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await client.query(`DELETE FROM ${table} WHERE id >= 10`);
      client.release();
    }
  });
});
