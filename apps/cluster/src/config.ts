// The simulated three-region cluster's layout. By default everything listens on 127.0.0.1; with
// `--netns` (issue 14) each region is its own network namespace with its own address, so a region
// can be cut off while its processes keep running. Ports, timings and the network mode come from
// the environment (validated here, the only place this package reads it).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { clusterEnvironment } from './env';

const envSchema = z.object({
  /** Added to every default port, to run a second cluster beside the first. */
  HOLDFAST_CLUSTER_PORT_OFFSET: z.coerce.number().int().min(0).max(20_000).default(0),
  HOLDFAST_CLUSTER_DIR: z.string().optional(),
  /**
   * `loopback` (default) or `netns`. Unset, the mode the cluster was brought up in (its
   * network.json) decides, so `drill`, `status` and `down` follow `up --netns` without the flag.
   */
  HOLDFAST_CLUSTER_NETWORK: z.enum(['loopback', 'netns']).optional(),
  /**
   * netns mode: names the namespaces (`hf<id>-r1` …) and the /24 inside the benchmarking range
   * 198.18.0.0/15 (RFC 2544: never routed on a real network), so a second cluster can run beside.
   */
  HOLDFAST_CLUSTER_NETNS_ID: z.coerce.number().int().min(0).max(255).default(0),
  /** Patroni timings (see shared notes/HA.md): loop_wait + 2 × retry_timeout ≤ ttl. */
  // 5/1/2 with etcd at 50/500 ms (issue 14): a dead primary's lease lapses 4–5 s after its last
  // renewal, so a region-down's write outage is ~5–7 s (8/1/3 at 100/1000 gave 8–12 s). retry_timeout
  // 2 s stays above etcd's re-election time at 50/500 (~0.5–1 s), so losing etcd's leader does not
  // demote the primary; and etcd's leader is kept out of the primary's region (etcd.ts), so one
  // region's death never costs an etcd election before the lease can lapse.
  HOLDFAST_PATRONI_TTL: z.coerce.number().int().min(5).default(5),
  HOLDFAST_PATRONI_LOOP_WAIT: z.coerce.number().int().min(1).default(1),
  HOLDFAST_PATRONI_RETRY_TIMEOUT: z.coerce.number().int().min(1).default(2),
  /**
   * Replication slots per member (Patroni `use_slots`). Off by default (issue 14): Patroni 3.0.2
   * creates a promoted node's member slots only in the HA cycle after the promotion, keeps no
   * physical slot on replicas (permanent ones included: a replica keeps only permanent LOGICAL
   * slots and drops other physical ones), so the surviving replica's walreceiver failed with
   * `replication slot "pg2" does not exist` and strict synchronous mode blocked every commit until
   * it reattached. Without slots it streams at once; WAL for a lagging or rejoining replica is kept
   * by `wal_keep_size` instead (bounded: a replica further behind needs `patronictl reinit`).
   */
  HOLDFAST_PATRONI_USE_SLOTS: z.enum(['true', 'false']).default('false'),
  /**
   * Also what pg_rewind needs: a healed old primary is rewound from the last checkpoint before the
   * fork, read from its own pg_wal. Checkpoints come up to max_wal_size (2GB) apart and a record is
   * written only when its checkpoint ends, so up to ~2 intervals back; with 256MB kept, a partition
   * after a soak's 15 minutes of WAL left pg_rewind without that checkpoint (`servers diverged`,
   * exit 1) and the old primary never rejoined.
   */
  HOLDFAST_PG_WAL_KEEP_SIZE: z
    .string()
    .regex(/^\d+(kB|MB|GB)$/)
    .default('4GB'),
  /** How soon a replica's startup process retries streaming after a failure (its walreceiver lost the primary, a timeline ended). */
  HOLDFAST_PG_WAL_RETRIEVE_RETRY_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /**
   * HAProxy's check interval for a server marked down: bounds how late a new primary is routed to
   * after it answers `/primary`. Measured on primary kills (issue 14): 500 ms → routed 0.09–0.58 s
   * after `/primary` turned 200; 250 ms → 0.09–0.21 s, for ~4 instead of ~2 checks/s per replica
   * per HAProxy. The live primary stays at `inter 500ms` (a faster check of it only risks false downs).
   */
  HOLDFAST_HAPROXY_DOWN_INTERVAL_MS: z.coerce.number().int().min(100).max(10_000).default(250),
  HOLDFAST_ETCD_HEARTBEAT_MS: z.coerce.number().int().min(10).default(50),
  HOLDFAST_ETCD_ELECTION_MS: z.coerce.number().int().min(100).default(500),
  HOLDFAST_PG_BIN_DIR: z.string().default('/usr/lib/postgresql/15/bin'),
  /**
   * Worker processes per gateway. Four gateways and three Postgres nodes already outnumber a
   * small machine's cores, so one each by default; the benchmark may ask for more.
   */
  HOLDFAST_CLUSTER_GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
});

export interface DatabaseLogin {
  name: string;
  password: string;
}

export interface RegionLayout {
  name: string;
  /** Where every process of the region listens: 127.0.0.1, or the region's address inside its namespace. */
  host: string;
  /** netns mode: the region's network namespace (null on loopback). */
  namespace: string | null;
  etcd: { name: string; clientPort: number; peerPort: number };
  node: { name: string; pgPort: number; restPort: number };
  /** `statsPort`: HAProxy's read-only stats page (the live map reads which server is the write primary). */
  haproxy: { port: number; statsPort: number };
  gateways: { id: string; port: number }[];
}

/**
 * netns mode (issue 14): one namespace per region, a client namespace for the load generator and
 * every command that talks to the cluster, and a bridge namespace joining them by veth links.
 * Nothing is routed to the host's interfaces.
 */
export interface NetnsLayout {
  bridge: string;
  client: string;
  clientHost: string;
  /** The /24 every namespace's address is in (198.18.<id>.0/24). */
  subnet: string;
}

export interface ClusterConfig {
  dir: string;
  network: { mode: 'loopback' } | ({ mode: 'netns' } & NetnsLayout);
  repoRoot: string;
  regions: RegionLayout[];
  patroni: { ttl: number; loopWait: number; retryTimeout: number; useSlots: boolean; walKeepSize: string; walRetrieveRetryMs: number };
  haproxy: { downIntervalMs: number };
  etcd: { heartbeatMs: number; electionMs: number };
  pgBinDir: string;
  /** Patroni's superuser: creates the database and the roles below, nothing else (issue 8). */
  superuser: DatabaseLogin;
  replication: DatabaseLogin;
  /**
   * The least-privilege roles (issue 8): the migrator owns the schema (migrations, drill seeding),
   * gateways connect as the gateway role. Passwords generated once, kept in `rolesFile`.
   */
  roles: { migrator: string; gateway: string };
  rolesFile: string;
  database: string;
  /** Fixed local-only encryption key for the cluster's gateways (state stays on this machine). */
  keysFile: string;
  gatewayWorkers: number;
}

export function readClusterConfig(source: Record<string, string | undefined> = clusterEnvironment()): ClusterConfig {
  const env = envSchema.parse(source);
  if (env.HOLDFAST_PATRONI_LOOP_WAIT + 2 * env.HOLDFAST_PATRONI_RETRY_TIMEOUT > env.HOLDFAST_PATRONI_TTL) {
    throw new Error('Patroni timings must satisfy loop_wait + 2 × retry_timeout ≤ ttl');
  }
  const o = env.HOLDFAST_CLUSTER_PORT_OFFSET;
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const dir = path.resolve(repoRoot, env.HOLDFAST_CLUSTER_DIR ?? '.holdfast/cluster');
  const mode = env.HOLDFAST_CLUSTER_NETWORK ?? recordedNetworkMode(dir);
  const id = env.HOLDFAST_CLUSTER_NETNS_ID;
  const netns = (suffix: string): string => `hf${String(id)}-${suffix}`;
  const address = (host: number): string => `198.18.${String(id)}.${String(host)}`;
  const regions: RegionLayout[] = [1, 2, 3].map((n) => ({
    name: `region-${n}`,
    host: mode === 'netns' ? address(10 + n) : '127.0.0.1',
    namespace: mode === 'netns' ? netns(`r${String(n)}`) : null,
    etcd: { name: `etcd${n}`, clientPort: o + 2377 + 2 * n, peerPort: o + 2378 + 2 * n },
    node: { name: `pg${n}`, pgPort: o + 5440 + n, restPort: o + 8007 + n },
    haproxy: { port: o + 6440 + n, statsPort: o + 6540 + n },
    // Two gateways in the first region, one in each other region.
    gateways: (n === 1 ? [1, 2] : [1]).map((g) => ({ id: `gw-r${n}-${g}`, port: o + 4100 + 10 * n + g })),
  }));
  return {
    dir,
    network:
      mode === 'netns'
        ? { mode, bridge: netns('bridge'), client: netns('client'), clientHost: address(100), subnet: `${address(0)}/24` }
        : { mode: 'loopback' },
    repoRoot,
    regions,
    patroni: {
      ttl: env.HOLDFAST_PATRONI_TTL,
      loopWait: env.HOLDFAST_PATRONI_LOOP_WAIT,
      retryTimeout: env.HOLDFAST_PATRONI_RETRY_TIMEOUT,
      useSlots: env.HOLDFAST_PATRONI_USE_SLOTS === 'true',
      walKeepSize: env.HOLDFAST_PG_WAL_KEEP_SIZE,
      walRetrieveRetryMs: env.HOLDFAST_PG_WAL_RETRIEVE_RETRY_MS,
    },
    haproxy: { downIntervalMs: env.HOLDFAST_HAPROXY_DOWN_INTERVAL_MS },
    etcd: { heartbeatMs: env.HOLDFAST_ETCD_HEARTBEAT_MS, electionMs: env.HOLDFAST_ETCD_ELECTION_MS },
    pgBinDir: env.HOLDFAST_PG_BIN_DIR,
    superuser: { name: 'postgres', password: 'holdfast-cluster' },
    replication: { name: 'replicator', password: 'holdfast-replication' },
    roles: { migrator: 'holdfast_migrator', gateway: 'holdfast_gateway' },
    rolesFile: path.join(dir, 'database-roles.json'),
    database: 'holdfast',
    keysFile: path.join(dir, 'encryption-key.json'),
    gatewayWorkers: env.HOLDFAST_CLUSTER_GATEWAY_WORKERS,
  };
}

/** The file that records the network mode `cluster up` used. */
export function networkModeFile(dir: string): string {
  return path.join(dir, 'network.json');
}

function recordedNetworkMode(dir: string): 'loopback' | 'netns' {
  const file = networkModeFile(dir);
  if (!existsSync(file)) return 'loopback';
  const parsed = z.object({ mode: z.enum(['loopback', 'netns']) }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data.mode : 'loopback';
}

/** An HTTP base URL for a port of a region's host. */
export function regionUrl(region: RegionLayout, port: number): string {
  return `http://${region.host}:${String(port)}`;
}

/** Every gateway with its region and base URL (the SDK's gateway list, probes, the live map). */
export function gatewayEndpoints(config: ClusterConfig): { id: string; port: number; region: RegionLayout; url: string }[] {
  return config.regions.flatMap((region) => region.gateways.map((g) => ({ id: g.id, port: g.port, region, url: regionUrl(region, g.port) })));
}

/** The connection string through one region's HAProxy (to the primary, wherever it is), as `login` (default: the superuser). */
export function postgresUrl(config: ClusterConfig, region: RegionLayout, database: string = config.database, login: DatabaseLogin = config.superuser): string {
  return `postgresql://${encodeURIComponent(login.name)}:${encodeURIComponent(login.password)}@${region.host}:${region.haproxy.port}/${database}`;
}

/** The database endpoints for a process in `regionName`: its own region's HAProxy first, then the others. Gateways pass the gateway role's login. */
export function databaseUrlsFor(config: ClusterConfig, regionName: string, login: DatabaseLogin = config.superuser): string {
  const ordered = [...config.regions].sort((a, b) => Number(b.name === regionName) - Number(a.name === regionName));
  return ordered.map((r) => postgresUrl(config, r, config.database, login)).join(',');
}
