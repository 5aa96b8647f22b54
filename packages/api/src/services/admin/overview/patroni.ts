// Patroni's read-only REST API (issue 13's live map): a node's own /patroni, the cluster view
// /cluster (from the DCS, so it can still list a dead leader until its key expires — which is why
// each node is also asked itself) and /history (one row per timeline switch).
import type { FailoverEvent, PostgresRole } from '@holdfast/validators';
import { z } from 'zod';

const patroniNodeSchema = z.object({
  state: z.string(),
  /** 'master' in Patroni 3.0, 'primary' in later versions, or 'replica' / 'standby_leader'. */
  role: z.string().optional(),
  timeline: z.number().int().optional(),
});

const clusterMemberSchema = z.object({
  name: z.string(),
  role: z.string(),
  state: z.string(),
  timeline: z.number().int().optional(),
  /** Bytes behind the leader; the string 'unknown' when Patroni cannot tell. Absent on the leader. */
  lag: z.union([z.number(), z.string()]).optional(),
});

const clusterSchema = z.object({ members: z.array(clusterMemberSchema) });

/** [timeline, lsn, reason, timestamp?, new leader?]: the row Patroni keeps when `timeline` ended. */
const historySchema = z.array(z.tuple([z.number().int(), z.number(), z.string()]).rest(z.union([z.string(), z.null()])));

export interface PatroniNodeReport {
  state: string;
  role: PostgresRole;
  timeline: number | null;
}

export interface PatroniClusterMember {
  name: string;
  role: PostgresRole;
  state: string;
  timeline: number | null;
  lagBytes: number | null;
}

export function postgresRoleOf(patroniRole: string | undefined): PostgresRole {
  switch (patroniRole) {
    case 'leader':
    case 'master':
    case 'primary':
    case 'standby_leader':
      return 'leader';
    case 'sync_standby':
      return 'sync_standby';
    case 'replica':
      return 'replica';
    default:
      return 'unknown';
  }
}

/** A node's own /patroni answer (200 when running, 503 with the same JSON when Postgres is not); null when it is not Patroni's. */
export function parsePatroniNode(body: unknown): PatroniNodeReport | null {
  const parsed = patroniNodeSchema.safeParse(body);
  if (!parsed.success) return null;
  return { state: parsed.data.state, role: postgresRoleOf(parsed.data.role), timeline: parsed.data.timeline ?? null };
}

export function parsePatroniCluster(body: unknown): PatroniClusterMember[] | null {
  const parsed = clusterSchema.safeParse(body);
  if (!parsed.success) return null;
  return parsed.data.members.map((m) => {
    const role = postgresRoleOf(m.role);
    return {
      name: m.name,
      role,
      state: m.state,
      timeline: m.timeline ?? null,
      lagBytes: typeof m.lag === 'number' ? m.lag : role === 'leader' ? 0 : null,
    };
  });
}

/** The timeline switches, newest first: timeline N+1 began at the row's timestamp under its new leader. */
export function parsePatroniHistory(body: unknown): FailoverEvent[] | null {
  const parsed = historySchema.safeParse(body);
  if (!parsed.success) return null;
  return parsed.data
    .map(([timeline, , reason, at, leader]) => ({
      timeline: timeline + 1,
      leader: typeof leader === 'string' ? leader : null,
      at: typeof at === 'string' ? normalizeTimestamp(at) : null,
      reason,
    }))
    .reverse();
}

/** Patroni writes `2026-11-29T05:40:01.123456+00:00`; ISO 8601 in UTC for the map. */
function normalizeTimestamp(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}
