// The replayer against a real Postgres, as the least-privilege gateway role: at-least-once sending,
// exactly-once rows (ON CONFLICT (event_id) DO NOTHING needs no UPDATE right).
import { createDatabase, writeAuditEvent, type Database, type SpooledAuditEvent } from '@holdfast/db';
import { createTestDatabase, type TestDatabase } from '@holdfast/db/testing';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditSpool } from './audit-spool';
import { startSpoolReplayer } from './spool-replayer';

const log = (): void => undefined;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function event(n: number): SpooledAuditEvent {
  return {
    eventId: randomUUID(),
    occurredAt: new Date(Date.UTC(2026, 10, 29, 1, 0, n)),
    type: 'request.rejected',
    gatewayId: 'gw-replay',
    region: 'test',
    applicationId: null,
    detail: { procedure: 'verify.totp', code: 'DATABASE_UNAVAILABLE', n },
  };
}

describe('audit spool replay (real Postgres, gateway role)', () => {
  let database: TestDatabase;
  let gateway: Database;
  let admin: pg.Pool;
  let root: string;
  beforeAll(async () => {
    database = await createTestDatabase(inject('pgAdminUrl'));
    gateway = createDatabase({ url: database.gatewayUrl, poolMax: 2 });
    admin = new pg.Pool({ connectionString: database.url, max: 1 });
    root = await mkdtemp(path.join(tmpdir(), 'holdfast-replay-test-'));
  });
  afterAll(async () => {
    await gateway.close();
    await admin.end();
    await database.drop();
    await rm(root, { recursive: true, force: true });
  });

  const rowsOf = async (ids: readonly string[]): Promise<{ event_id: string; occurred_at: Date }[]> =>
    (await admin.query<{ event_id: string; occurred_at: Date }>('SELECT event_id, occurred_at FROM audit_events WHERE event_id = ANY($1::uuid[])', [ids])).rows;

  it('writes an event with its own id once however often it is sent, keeping when it happened', async () => {
    const e = event(1);
    await writeAuditEvent(gateway.pool, e);
    await writeAuditEvent(gateway.pool, e);
    await writeAuditEvent(gateway.prisma, e);
    const rows = await rowsOf([e.eventId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.occurred_at.toISOString()).toBe(e.occurredAt.toISOString());
  });

  it('a replay cut short before the segment is deleted sends it again: every event stored exactly once', async () => {
    const dir = path.join(root, 'crash');
    const events = Array.from({ length: 7 }, (_, i) => event(i));
    const first = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log });
    for (const e of events) await first.append(e);
    // Batches of 3 with a pause: stopped (as a crash would) after the first batch is in the table.
    const cut = startSpoolReplayer({ spool: first, db: gateway, batchSize: 3, pauseMs: 2000, log });
    await until(() => first.status().replayed === 3);
    await cut.stop();
    expect(await rowsOf(events.map((e) => e.eventId))).toHaveLength(3);
    expect(await readdir(dir)).toHaveLength(1); // not deleted: not all of it is in the table

    const second = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log });
    expect(second.status().events).toBe(7); // what is on disk, sent again
    const replayer = startSpoolReplayer({ spool: second, db: gateway, batchSize: 3, pauseMs: 0, log });
    await until(() => second.segmentCount === 0);
    await replayer.stop();
    const rows = await rowsOf(events.map((e) => e.eventId));
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(7);
    expect(second.status()).toMatchObject({ events: 0, bytes: 0, oldestAgeMs: null, replayed: 7, duplicates: 3, dropped: 0 });
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps the spool while the database is unreachable and empties it once it answers', async () => {
    const dir = path.join(root, 'outage');
    const events = Array.from({ length: 4 }, (_, i) => event(10 + i));
    const spool = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log });
    for (const e of events) await spool.append(e);
    const failures: string[] = [];
    // Port 1 refuses connections: no primary to take the events.
    const dead = createDatabase({ url: 'postgresql://holdfast_gateway:x@127.0.0.1:1/none', poolMax: 1 });
    const away = startSpoolReplayer({
      spool,
      db: dead,
      batchSize: 10,
      pauseMs: 0,
      intervalMs: 50,
      log: (name) => {
        failures.push(name);
      },
    });
    await until(() => failures.includes('audit_spool_replay_failed'));
    await away.stop();
    await dead.close();
    expect(spool.status()).toMatchObject({ events: 4, replayed: 0, dropped: 0 });
    expect(await readdir(dir)).toHaveLength(1);

    const back = startSpoolReplayer({ spool, db: gateway, batchSize: 10, pauseMs: 0, intervalMs: 50, log });
    await until(() => spool.segmentCount === 0);
    await back.stop();
    expect(await rowsOf(events.map((e) => e.eventId))).toHaveLength(4);
  });
});
