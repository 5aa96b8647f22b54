// The spool on real files: what survives a crash, what a torn tail does, the cap, segment rolls.
import type { SpooledAuditEvent } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditSpool, type SpoolSegment } from './audit-spool';
import { parseSegment, spoolLineOf } from './spool-line';

function event(n: number, occurredAt = new Date(Date.UTC(2026, 10, 29, 2, 0, n))): SpooledAuditEvent {
  return {
    eventId: randomUUID(),
    occurredAt,
    type: 'request.rejected',
    gatewayId: 'gw-spool',
    region: 'test',
    applicationId: randomUUID(),
    userId: null,
    detail: { procedure: 'verify.totp', code: 'DATABASE_UNAVAILABLE', n },
  };
}

describe('audit spool (real files)', () => {
  let dir: string;
  const logs: { event: string; fields?: Record<string, unknown> }[] = [];
  const log = (name: string, fields?: Record<string, unknown>): void => {
    logs.push({ event: name, ...(fields === undefined ? {} : { fields }) });
  };
  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'holdfast-spool-test-')), 'spool');
    logs.length = 0;
  });
  afterEach(async () => {
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('keeps every acknowledged event on disk, one JSON line each, and a new process counts them', async () => {
    const spool = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log });
    const events = Array.from({ length: 25 }, (_, i) => event(i));
    // Concurrent appends share one write + fdatasync; each resolves only once it is on disk.
    await Promise.all(events.map((e) => spool.append(e)));
    const [file] = await readdir(dir);
    expect(file).toMatch(/^\d{16}\.ndjson$/);
    const onDisk = parseSegment(await readFile(path.join(dir, file ?? ''), 'utf8'));
    expect(onDisk.skipped).toBe(0);
    expect(onDisk.events.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(onDisk.events[3]).toEqual({ ...events[3], factorId: null, attemptId: null });
    // No close(): as after a SIGKILL. A new process finds them and appends to a segment of its own.
    const reopened = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log, clock: () => Date.UTC(2026, 10, 29, 2, 1, 0) });
    expect(reopened.status()).toMatchObject({ events: 25, oldestAgeMs: 60_000, dropped: 0 });
    await reopened.append(event(99));
    expect((await readdir(dir)).sort()).toHaveLength(2);
    expect(reopened.status().events).toBe(26);
    await reopened.close();
    await spool.close();
  });

  it('skips a torn last line (killed mid-write) and lines that are not events, never failing', async () => {
    const spool = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log });
    const kept = [event(1), event(2)];
    for (const e of kept) await spool.append(e);
    await spool.close();
    const [file = ''] = await readdir(dir);
    const torn = spoolLineOf(event(3)).slice(0, 40);
    await appendFile(path.join(dir, file), `{"v":1,"not":"an event"}\n${torn}`);
    const reopened = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log });
    expect(reopened.status().events).toBe(2);
    expect(logs).toContainEqual({ event: 'audit_spool_lines_skipped', fields: { segment: file, skipped: 2 } });
    const segment = await reopened.takeOldest();
    if (segment === null) throw new Error('segment expected');
    expect((await reopened.readSegment(segment)).map((e) => e.eventId)).toEqual(kept.map((e) => e.eventId));
    // A segment holding only a torn line is an empty segment, not an error.
    await writeFile(path.join(dir, '0000000000000009.ndjson'), torn);
    const again = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, log });
    expect(again.segmentCount).toBe(2);
    expect(again.status().events).toBe(2);
  });

  it('drops new events beyond the byte cap without waiting, counts and logs them', async () => {
    const lineBytes = Buffer.byteLength(spoolLineOf(event(1)));
    const spool = await AuditSpool.open({ dir, maxBytes: lineBytes * 3 + 10, log });
    for (let i = 0; i < 5; i += 1) await spool.append(event(i));
    const status = spool.status();
    expect(status).toMatchObject({ events: 3, dropped: 2 });
    expect(status.bytes).toBeLessThanOrEqual(lineBytes * 3 + 10);
    expect(logs.filter((l) => l.event === 'audit_spool_dropped')).toHaveLength(1); // once per 10 s, not per event
    const [file = ''] = await readdir(dir);
    expect((await stat(path.join(dir, file))).size).toBe(status.bytes);
    // Space comes back when a replayed segment is removed.
    const segment = await spool.takeOldest();
    if (segment === null) throw new Error('segment expected');
    spool.recordReplayed(segment, 3, 3);
    await spool.removeSegment(segment);
    await spool.append(event(9));
    expect(spool.status()).toMatchObject({ events: 1, dropped: 2, replayed: 3 });
    await spool.close();
  });

  it('rolls to a new segment past the segment size; taking the oldest closes it for appends', async () => {
    const lineBytes = Buffer.byteLength(spoolLineOf(event(1)));
    const spool = await AuditSpool.open({ dir, maxBytes: 1024 * 1024, segmentBytes: lineBytes * 2, log });
    for (let i = 0; i < 5; i += 1) await spool.append(event(i));
    expect((await readdir(dir)).sort()).toEqual(['0000000000000001.ndjson', '0000000000000002.ndjson', '0000000000000003.ndjson']);
    const take = async (): Promise<SpoolSegment> => {
      const segment = await spool.takeOldest();
      if (segment === null) throw new Error('segment expected');
      return segment;
    };
    const oldest = await take();
    expect(oldest).toMatchObject({ file: '0000000000000001.ndjson', events: 2 });
    await spool.removeSegment(oldest);
    await spool.removeSegment(await take());
    // The last segment is the open one: taking it closes it, the next event starts a fourth.
    expect((await take()).file).toBe('0000000000000003.ndjson');
    await spool.append(event(7));
    expect((await readdir(dir)).sort()).toEqual(['0000000000000003.ndjson', '0000000000000004.ndjson']);
    expect(spool.status().events).toBe(2);
    await spool.close();
  });
});
