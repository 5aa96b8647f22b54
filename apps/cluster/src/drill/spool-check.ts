// The gateways' audit outage spools seen from outside (database-down drill): the event ids on
// disk (read before the database returns: ids are made by the gateways, so this is the only list
// of what was spooled), the spool gauges on /metrics, and whether each spooled id reached
// audit_events exactly once. apps/cluster may not import the gateway, so the segment format
// (NDJSON, one event per newline-terminated line; apps/gateway/src/audit-spool/spool-line.ts) is
// read here on its own terms: only the `eventId` of whole lines.
import type { Database } from '@holdfast/db';
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The event ids of one segment's bytes. Only newline-terminated lines count (an unterminated tail
 * is a write still in progress or cut by a crash: never acknowledged); lines that are not JSON
 * objects with a UUID `eventId` are counted as skipped.
 */
export function spooledEventIds(text: string): { ids: string[]; skipped: number } {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  const ids: string[] = [];
  let skipped = tail.length > 0 ? 1 : 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    let eventId: unknown;
    try {
      eventId = (JSON.parse(line) as { eventId?: unknown } | null)?.eventId;
    } catch {
      eventId = undefined;
    }
    if (typeof eventId === 'string' && uuid.test(eventId)) ids.push(eventId.toLowerCase());
    else skipped += 1;
  }
  return { ids, skipped };
}

/**
 * Every `*.ndjson` segment under a gateway's spool directory (worker subfolders included). Read
 * synchronously on purpose: one snapshot, not delayed turn by turn behind a busy event loop
 * (segments are small: the spool is size-capped).
 */
export function readSpoolDir(dir: string): { files: number; ids: string[]; skipped: number } {
  const result = { files: 0, ids: [] as string[], skipped: 0 };
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return result; // nothing ever spooled
    throw error;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = readSpoolDir(full);
      result.files += inner.files;
      result.ids.push(...inner.ids);
      result.skipped += inner.skipped;
    } else if (entry.name.endsWith('.ndjson')) {
      let text: string;
      try {
        text = readFileSync(full, 'utf8');
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ENOENT') continue; // replayed and removed meanwhile
        throw error;
      }
      const { ids, skipped } = spooledEventIds(text);
      result.files += 1;
      result.ids.push(...ids);
      result.skipped += skipped;
    }
  }
  return result;
}

export interface SpoolMetrics {
  events: number;
  dropped: number;
  replayed: number;
  duplicates: number;
}

/**
 * The spool's series in a Prometheus text exposition, summed over label sets (workers); null when
 * the gateway exposes no spool metrics at all.
 */
export function parseSpoolMetrics(text: string): SpoolMetrics | null {
  const sum = (name: string): number | null => {
    let total: number | null = null;
    for (const match of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
      const value = Number(match[1]);
      if (Number.isFinite(value)) total = (total ?? 0) + value;
    }
    return total;
  };
  const events = sum('holdfast_audit_spool_events');
  if (events === null) return null;
  return {
    events,
    dropped: sum('holdfast_audit_spool_dropped_total') ?? 0,
    replayed: sum('holdfast_audit_spool_replayed_total') ?? 0,
    duplicates: sum('holdfast_audit_spool_replay_duplicates_total') ?? 0,
  };
}

/** One gateway's spool gauges, or null when /metrics does not answer (or has none). */
export async function fetchSpoolMetrics(gatewayUrl: string, timeoutMs = 2_000): Promise<SpoolMetrics | null> {
  try {
    const response = await fetch(`${gatewayUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return null;
    return parseSpoolMetrics(await response.text());
  } catch {
    return null;
  }
}

/** How many rows each id has in audit_events (ids absent from the table are absent from the map). */
export async function countAuditRowsByEventId(db: Pick<Database, 'pool'>, ids: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let start = 0; start < ids.length; start += 5_000) {
    const { rows } = await db.pool.query<{ event_id: string; n: string }>(
      'SELECT event_id::text AS event_id, count(*)::text AS n FROM audit_events WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
      [ids.slice(start, start + 5_000)],
    );
    for (const row of rows) counts.set(row.event_id.toLowerCase(), Number(row.n));
  }
  return counts;
}

/** Spooled ids against the table: those missing and those stored more than once (by event_id). */
export function compareSpooledWithTable(
  spooled: readonly string[],
  counts: ReadonlyMap<string, number>,
): { unique: number; missing: string[]; twice: string[] } {
  const unique = [...new Set(spooled.map((id) => id.toLowerCase()))];
  return {
    unique: unique.length,
    missing: unique.filter((id) => (counts.get(id) ?? 0) === 0).sort(),
    twice: unique.filter((id) => (counts.get(id) ?? 0) > 1).sort(),
  };
}
