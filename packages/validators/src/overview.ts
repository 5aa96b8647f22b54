import { z } from 'zod';

// The admin console's live failover map (issue 13): what a gateway reports about the deployment,
// built from what the gateways and Patroni's read-only REST endpoints say — not from the database
// alone, so it keeps showing the truth while the primary is down. Every field a source could not
// give is null, and `sources` says which source failed and why: an unknown is shown as unknown.

export const postgresRoles = ['leader', 'sync_standby', 'replica', 'unknown'] as const;
export const postgresRole = z.enum(postgresRoles);

const nullableNumber = z.number().nullable();

export const postgresNodeStatus = z.object({
  name: z.string(),
  role: postgresRole,
  /** Patroni's state word (running, streaming, stopped, starting …) or 'unreachable'. */
  state: z.string(),
  timeline: z.number().int().nullable(),
  /** Replication lag behind the leader in bytes (0 for the leader; null when unknown). */
  lagBytes: nullableNumber,
});

export const etcdMemberStatus = z.object({
  name: z.string(),
  healthy: z.boolean(),
  isLeader: z.boolean().nullable(),
});

export const haproxyStatus = z.object({
  name: z.string(),
  up: z.boolean(),
  /** The Postgres node HAProxy sends writes to now (null when none is up or it is unknown). */
  primaryBackend: z.string().nullable(),
});

export const gatewayStatus = z.object({
  id: z.string(),
  region: z.string(),
  url: z.string(),
  reachable: z.boolean(),
  ready: z.boolean(),
  canaryLatencyMs: nullableNumber,
  canaryAgeMs: nullableNumber,
  /** Over the last minute: requests per second, the share that succeeded, p99 latency. */
  requestsPerSecond: nullableNumber,
  successRate: nullableNumber,
  p99Ms: nullableNumber,
  auditSpoolEvents: nullableNumber,
  historyRewritten: z.boolean(),
});

export const regionStatus = z.object({
  name: z.string(),
  postgres: z.array(postgresNodeStatus),
  etcd: z.array(etcdMemberStatus),
  haproxy: z.array(haproxyStatus),
  gateways: z.array(gatewayStatus),
});

/** Patroni's /history: which timeline began when and under which leader. */
export const failoverEvent = z.object({
  timeline: z.number().int(),
  leader: z.string().nullable(),
  at: z.string().nullable(),
  /** Patroni's reason text for the switch ("no recovery target specified" after a failover). */
  reason: z.string().nullable().optional(),
});

export const overviewSourceKinds = ['topology', 'patroni', 'etcd', 'haproxy', 'gateway'] as const;

export const overviewSource = z.object({
  url: z.string(),
  ok: z.boolean(),
  error: z.string().nullable(),
  /** What the source is and which part it names (added fields: older snapshots lack them). */
  kind: z.enum(overviewSourceKinds).optional(),
  name: z.string().optional(),
});

export const clusterOverview = z.object({
  /** ISO time the snapshot was taken. */
  generatedAt: z.string(),
  /** The gateway that built it. */
  observedBy: z.object({ gatewayId: z.string(), region: z.string() }),
  /** 'cluster' (Patroni + etcd + HAProxy) or 'single' (npm start: one Postgres, no Patroni). */
  topology: z.enum(['cluster', 'single']),
  regions: z.array(regionStatus),
  failovers: z.array(failoverEvent),
  sources: z.array(overviewSource),
  /** How often the collector polls its sources, so a viewer can tell a stale snapshot (optional). */
  pollIntervalMs: z.number().int().positive().optional(),
});

export type PostgresRole = z.infer<typeof postgresRole>;
export type ClusterOverview = z.infer<typeof clusterOverview>;
export type RegionStatus = z.infer<typeof regionStatus>;
export type GatewayStatus = z.infer<typeof gatewayStatus>;
export type PostgresNodeStatus = z.infer<typeof postgresNodeStatus>;
export type EtcdMemberStatus = z.infer<typeof etcdMemberStatus>;
export type HaproxyStatus = z.infer<typeof haproxyStatus>;
export type FailoverEvent = z.infer<typeof failoverEvent>;
export type OverviewSource = z.infer<typeof overviewSource>;
