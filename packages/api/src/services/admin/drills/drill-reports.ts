import { HoldfastError } from '@holdfast/core';
import { withDatabaseRetry } from '@holdfast/db';
import type { adminDrillDetail, adminDrillGetOutput, adminDrillListOutput, adminDrillSummary } from '@holdfast/validators';
import type { z } from 'zod';
import type { ServiceDeps } from '../../../deps';

type DrillSummary = z.infer<typeof adminDrillSummary>;
type DrillDetail = z.infer<typeof adminDrillDetail>;

interface DrillRow {
  id: string;
  scenario: string;
  started_at: Date;
  finished_at: Date;
  is_passed: boolean;
  summary: unknown;
  markdown: string;
}

// The stored summary is apps/cluster's DrillReportData as JSON, written by whichever version of
// the drill ran: older reports lack fields (no `audit`, no `push`), a crashed drill may have
// written less. Everything is read defensively — a missing or odd field is null (or left out of a
// list), never an error: one old row must not take the drills page down.
type Json = Record<string, unknown>;

const objectOf = (value: unknown): Json | null => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const numberOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const intOf = (value: unknown): number | null => {
  const n = numberOf(value);
  return n === null ? null : Math.trunc(n);
};
const stringOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);
/** A list of ids (the report keeps which ones) or a bare count (older reports): its size. */
const countOf = (value: unknown): number | null => (Array.isArray(value) ? value.length : intOf(value));

function summaryOf(row: DrillRow): DrillSummary {
  const summary = objectOf(row.summary) ?? {};
  const fresh = objectOf(summary.fresh);
  const latency = objectOf(summary.latencyMs);
  const checks = objectOf(summary.checks);
  const successRate = numberOf(fresh?.successRate);
  return {
    id: row.id,
    scenario: row.scenario,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at.toISOString(),
    isPassed: row.is_passed,
    successRate: successRate === null ? null : Math.min(1, Math.max(0, successRate)),
    writeOutageMs: numberOf(summary.writeOutageMs),
    p99Ms: numberOf(latency?.p99),
    lost: countOf(checks?.lostAcknowledged),
    replaysAccepted: countOf(checks?.replaysAccepted),
  };
}

function detailOf(row: DrillRow): DrillDetail {
  const summary = objectOf(row.summary) ?? {};
  const targets = arrayOf(summary.targets).flatMap((item) => {
    const target = objectOf(item);
    const name = stringOf(target?.name);
    if (target === null || name === null) return [];
    const value = target.value;
    return [
      { name, isMet: target.isMet === true, value: typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value) },
    ];
  });
  const timeline = arrayOf(summary.timeline).flatMap((item) => {
    const point = objectOf(item);
    const second = intOf(point?.second);
    if (point === null || second === null) return [];
    return [{ second, sent: intOf(point.sent) ?? 0, accepted: intOf(point.accepted) ?? 0, p50: numberOf(point.p50) ?? 0, p99: numberOf(point.p99) ?? 0 }];
  });
  const events = arrayOf(summary.events).flatMap((item) => {
    const event = objectOf(item);
    const atMs = numberOf(event?.atMs);
    const what = stringOf(event?.what);
    return atMs === null || what === null ? [] : [{ atMs, what }];
  });
  return {
    ...summaryOf(row),
    description: stringOf(summary.description) ?? '',
    targets,
    timeline: timeline.sort((a, b) => a.second - b.second),
    events,
    markdown: row.markdown,
  };
}

const drillColumns = 'd.id::text AS id, d.scenario, d.started_at, d.finished_at, d.is_passed, d.summary, d.markdown';

/** A check of the summary as the list shows it: an array's length, anything else as stored (countOf reads it). */
function checkCount(name: 'lostAcknowledged' | 'replaysAccepted'): string {
  const path = `d.summary->'checks'->'${name}'`;
  return `CASE WHEN jsonb_typeof(${path}) = 'array' THEN to_jsonb(jsonb_array_length(${path})) ELSE ${path} END`;
}

/** `<started_at ISO>_<id>`: newest first by start, ties by id. */
function parseCursor(cursor: string | null): { startedAt: Date; id: string } | null {
  if (cursor === null) return null;
  // The id part is a UUID in its canonical form (a string of 36 dashes would reach ::uuid and fail there).
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.exec(cursor);
  const startedAt = match?.[1];
  const id = match?.[2];
  if (startedAt === undefined || id === undefined || Number.isNaN(Date.parse(startedAt))) {
    throw new HoldfastError('BAD_REQUEST', 'cursor: not one this list handed out');
  }
  return { startedAt: new Date(startedAt), id };
}

/** admin.drills.list: drill reports, newest first, `limit` per page. */
export async function listDrillReports(options: {
  deps: ServiceDeps;
  scenario?: string | undefined;
  limit: number;
  cursor: string | null;
  signal?: AbortSignal;
}): Promise<z.infer<typeof adminDrillListOutput>> {
  const { deps, limit } = options;
  const after = parseCursor(options.cursor);
  // Only the parts of the summary the list shows, cut out in SQL: a report's timeline and events
  // are hundreds of kB, a page is up to 100 reports. The checks' id lists become their sizes there
  // (a bare number, as older reports stored them, passes through); summaryOf reads the rest.
  const { rows } = await withDatabaseRetry(
    deps,
    () =>
      deps.db.pool.query<DrillRow>(
        `SELECT d.id::text AS id, d.scenario, d.started_at, d.finished_at, d.is_passed,
                jsonb_build_object(
                  'fresh', jsonb_build_object('successRate', d.summary->'fresh'->'successRate'),
                  'writeOutageMs', d.summary->'writeOutageMs',
                  'latencyMs', jsonb_build_object('p99', d.summary->'latencyMs'->'p99'),
                  'checks', jsonb_build_object(
                    'lostAcknowledged', ${checkCount('lostAcknowledged')},
                    'replaysAccepted', ${checkCount('replaysAccepted')})) AS summary,
                '' AS markdown
           FROM drill_reports d
          WHERE ($1::text IS NULL OR d.scenario = $1)
            AND ($2::timestamptz IS NULL OR (d.started_at, d.id) < ($2::timestamptz, $3::uuid))
          ORDER BY d.started_at DESC, d.id DESC
          LIMIT $4`,
        [options.scenario ?? null, after?.startedAt ?? null, after?.id ?? null, limit + 1],
      ),
    options.signal,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    drills: page.map(summaryOf),
    nextCursor: rows.length > limit && last !== undefined ? `${last.started_at.toISOString()}_${last.id}` : null,
  };
}

/** admin.drills.get: one report with its targets, per-second timeline, events and markdown; null when unknown. */
export async function getDrillReport(options: { deps: ServiceDeps; id: string; signal?: AbortSignal }): Promise<z.infer<typeof adminDrillGetOutput>> {
  const { deps } = options;
  const { rows } = await withDatabaseRetry(
    deps,
    () => deps.db.pool.query<DrillRow>(`SELECT ${drillColumns} FROM drill_reports d WHERE d.id = $1::uuid`, [options.id]),
    options.signal,
  );
  const row = rows[0];
  return { drill: row === undefined ? null : detailOf(row) };
}
