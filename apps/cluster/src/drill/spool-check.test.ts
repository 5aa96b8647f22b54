import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareSpooledWithTable, parseSpoolMetrics, readSpoolDir, spooledEventIds } from './spool-check';

const id = (n: number): string => `0190f0e0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const line = (n: number): string =>
  `${JSON.stringify({ v: 1, eventId: id(n), occurredAt: '2026-11-29T02:00:00.000Z', type: 'request.rejected', detail: {} })}\n`;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('[DRILL_SPOOL_IDS] what the database-down drill reads from the gateways’ spools', () => {
  it('takes the event id of every whole line; a torn tail and foreign lines are skipped', () => {
    const torn = line(3).slice(0, 30);
    expect(spooledEventIds(`${line(1)}\n${line(2)}{"v":1}\nnot json\n${torn}`)).toEqual({ ids: [id(1), id(2)], skipped: 3 });
    expect(spooledEventIds('')).toEqual({ ids: [], skipped: 0 });
  });

  it('reads every segment of a gateway, worker folders included; a missing spool is empty', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'holdfast-drill-spool-'));
    dirs.push(root);
    await writeFile(path.join(root, '0000000000000001.ndjson'), line(1) + line(2));
    await mkdir(path.join(root, 'w1'));
    await writeFile(path.join(root, 'w1', '0000000000000001.ndjson'), line(3));
    await writeFile(path.join(root, 'notes.txt'), line(9));
    expect(readSpoolDir(root)).toEqual({ files: 2, ids: [id(1), id(2), id(3)], skipped: 0 });
    expect(readSpoolDir(path.join(root, 'never-spooled'))).toEqual({ files: 0, ids: [], skipped: 0 });
  });

  it('sums the spool series over workers; no series means no spool metrics', () => {
    const text = [
      '# HELP holdfast_audit_spool_events Audit events in the outage spool, not yet in the database.',
      '# TYPE holdfast_audit_spool_events gauge',
      'holdfast_audit_spool_events{gateway="gw-r1-1",region="region-1"} 3',
      'holdfast_audit_spool_events{gateway="gw-r1-1",region="region-1",worker="2"} 4',
      'holdfast_audit_spool_events_other 100',
      'holdfast_audit_spool_dropped_total{gateway="gw-r1-1",region="region-1"} 1',
      'holdfast_audit_spool_replayed_total{gateway="gw-r1-1",region="region-1"} 12',
      'holdfast_audit_spool_replay_duplicates_total{gateway="gw-r1-1",region="region-1"} 2',
    ].join('\n');
    expect(parseSpoolMetrics(text)).toEqual({ events: 7, dropped: 1, replayed: 12, duplicates: 2 });
    expect(parseSpoolMetrics('holdfast_requests_total 5\n')).toBeNull();
  });

  it('finds spooled ids missing from the table and ids stored twice', () => {
    const counts = new Map([
      [id(1), 1],
      [id(2), 2],
    ]);
    expect(compareSpooledWithTable([id(1), id(2), id(3), id(1).toUpperCase()], counts)).toEqual({ unique: 3, missing: [id(3)], twice: [id(2)] });
  });
});
