import { openSignedNote, parseKeyring } from '@holdfast/core';
import { createDatabase, writeAuditEvent, type Database } from '@holdfast/db';
import { createTestDatabase } from '@holdfast/db/testing';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadOrCreateAuditSigningKey, readAuditPublicKey, type AuditSigningKey } from './audit-key';
import { buildAuditInclusionProof, verifyAuditInclusionProof } from './audit-proof';
import { checkLatestCheckpoint } from './checkpoint-check';
import { sealAuditPass, sealerLockKey, startAuditSealer } from './sealer';
import { verifyAuditLog } from './verify-audit-log';

const keyring = parseKeyring({ keys: `k1:${randomBytes(32).toString('base64')}`, activeKeyId: 'k1' });
const random = (size: number): Uint8Array => new Uint8Array(randomBytes(size));
const actor = { gatewayId: 'gw-test', region: 'test' };

async function leafRows(db: Database): Promise<{ leaf_index: string; audit_event_id: string }[]> {
  return (
    await db.pool.query<{ leaf_index: string; audit_event_id: string }>(
      'SELECT l.leaf_index::text, l.audit_event_id::text FROM audit_leaves l ORDER BY l.leaf_index',
    )
  ).rows;
}

describe('the audit sealer (issue 12)', () => {
  let db: Database;
  let gatewayUrl: string;
  let drop: () => Promise<void>;
  let key: AuditSigningKey;
  beforeAll(async () => {
    const database = await createTestDatabase(inject('pgAdminUrl'));
    drop = database.drop;
    gatewayUrl = database.gatewayUrl;
    // As deployed: the gateway role (INSERT + SELECT on the audit tables) seals.
    db = createDatabase({ url: database.gatewayUrl, poolMax: 6 });
    key = await loadOrCreateAuditSigningKey({ pool: db.pool, keyring, random });
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('[AUDIT_SEAL_IN_FLIGHT] never skips a row whose transaction commits after a later id was sealed', async () => {
    const early = new pg.Client({ connectionString: gatewayUrl });
    const late = new pg.Client({ connectionString: gatewayUrl });
    await early.connect();
    await late.connect();
    try {
      // `late` takes its xid first, `early` takes the smaller audit id and commits last: sealing
      // "every id up to the largest committed" would skip early's row for ever.
      await late.query('BEGIN');
      await late.query('SELECT pg_current_xact_id()');
      await early.query('BEGIN');
      await writeAuditEvent(early, { type: 'keys.rotated', ...actor, detail: { n: 'early' } });
      await writeAuditEvent(late, { type: 'keys.rotated', ...actor, detail: { n: 'late' } });
      await late.query('COMMIT');
      const client = await db.pool.connect();
      try {
        const first = await sealAuditPass({ client, key, batchSize: 100 });
        expect(first.sealed).toBe(1);
        await early.query('COMMIT');
        const second = await sealAuditPass({ client, key, batchSize: 100 });
        expect(second).toMatchObject({ sealed: 1, treeSize: 2, hasMore: false });
        // Nothing new: no checkpoint.
        expect(await sealAuditPass({ client, key, batchSize: 100 })).toMatchObject({ sealed: 0, treeSize: 2 });
      } finally {
        client.release();
      }
    } finally {
      await early.end();
      await late.end();
    }
    const ids = await db.pool.query<{ id: string }>('SELECT e.id::text FROM audit_events e ORDER BY e.id');
    const leaves = await leafRows(db);
    expect(leaves.map((leaf) => leaf.leaf_index)).toEqual(['0', '1']);
    expect(leaves.map((leaf) => leaf.audit_event_id).sort()).toEqual(ids.rows.map((row) => row.id).sort());
    expect((await db.pool.query('SELECT 1 FROM audit_checkpoints')).rowCount).toBe(2);
  });

  it('two sealers under concurrent writers: every row sealed once, leaves 0..n-1, checkpoints signed and consistent', async () => {
    const sealers = [0, 1].map(() => {
      const own = createDatabase({ url: gatewayUrl, poolMax: 2 });
      return { own, sealer: startAuditSealer({ db: own, keyring, random, settings: { intervalMs: 20, batchSize: 7 }, log: () => undefined }) };
    });
    try {
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 25; i += 1) await writeAuditEvent(db.pool, { type: 'keys.rotated', ...actor, detail: { w, i } });
      });
      await Promise.all(writers);
      const total = Number((await db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_events')).rows[0]?.n);
      for (let waited = 0; waited < 10_000; waited += 50) {
        if ((await leafRows(db)).length >= total) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const leaves = await leafRows(db);
      expect(leaves.map((leaf) => Number(leaf.leaf_index))).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(new Set(leaves.map((leaf) => leaf.audit_event_id)).size).toBe(total);
      // Only one held the lock at a time.
      expect(sealers.filter(({ sealer }) => sealer.isSealing()).length).toBeLessThanOrEqual(1);
    } finally {
      for (const { own, sealer } of sealers) {
        await sealer.stop();
        await own.close();
      }
    }
    const report = await verifyAuditLog({ pool: db.pool, keyring });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // The lock is free again once both stopped.
    const { rows } = await db.pool.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked, pg_advisory_unlock($1)', [sealerLockKey]);
    expect(rows[0]?.locked).toBe(true);
  });

  it('one pass over 300 rows — across two of the hashing loop’s yields (every 128 leaves) — seals them all, in order, under a root that verifies', async () => {
    const before = (await leafRows(db)).length;
    await db.pool.query(
      `INSERT INTO audit_events (type, gateway_id, region, detail) SELECT 'keys.rotated', $1, $2, jsonb_build_object('n', n) FROM generate_series(1, 300) AS n`,
      [actor.gatewayId, actor.region],
    );
    const client = await db.pool.connect();
    try {
      expect(await sealAuditPass({ client, key, batchSize: 1000 })).toMatchObject({ sealed: 300, treeSize: before + 300, hasMore: false });
    } finally {
      client.release();
    }
    const leaves = await leafRows(db);
    expect(leaves.map((leaf) => Number(leaf.leaf_index))).toEqual(Array.from({ length: before + 300 }, (_, i) => i));
    const report = await verifyAuditLog({ pool: db.pool, keyring });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('a proof verifies offline; the history check trusts on first use, then follows consistent growth', async () => {
    const { rows } = await db.pool.query<{ id: string }>('SELECT e.id::text FROM audit_events e ORDER BY e.id DESC LIMIT 1');
    const proof = await buildAuditInclusionProof({ sql: db.pool, reference: rows[0]?.id ?? '' });
    expect(verifyAuditInclusionProof(proof)).toBe(true);
    expect(verifyAuditInclusionProof({ ...proof, leafIndex: proof.leafIndex === 0 ? 1 : 0 })).toBe(false);
    const first = await checkLatestCheckpoint({ sql: db.pool, trusted: null });
    if (first.status !== 'advanced') throw new Error(`expected advanced, got ${first.status}`);
    await writeAuditEvent(db.pool, { type: 'keys.rotated', ...actor, detail: { more: true } });
    const client = await db.pool.connect();
    try {
      await sealAuditPass({ client, key, batchSize: 100 });
    } finally {
      client.release();
    }
    const second = await checkLatestCheckpoint({ sql: db.pool, trusted: first.trusted });
    expect(second.status).toBe('advanced');
    if (second.status !== 'advanced') return;
    expect(second.trusted.treeSize).toBe(first.trusted.treeSize + 1);
    const publicKey = await readAuditPublicKey(db.pool);
    expect(openSignedNote({ note: second.trusted.note, keyName: key.keyName, publicKey: publicKey?.publicKey ?? key.publicKey })?.treeSize).toBe(
      second.trusted.treeSize,
    );
    expect((await checkLatestCheckpoint({ sql: db.pool, trusted: second.trusted })).status).toBe('unchanged');
  });
});
