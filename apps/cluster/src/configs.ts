// Config files for Patroni and HAProxy, generated from the layout (never edited by hand).
import { regionUrl, type ClusterConfig, type RegionLayout } from './config';

export function etcdArgs(config: ClusterConfig, region: RegionLayout, dataDir: string): string[] {
  const initialCluster = config.regions.map((r) => `${r.etcd.name}=${regionUrl(r, r.etcd.peerPort)}`).join(',');
  return [
    '--name',
    region.etcd.name,
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    regionUrl(region, region.etcd.clientPort),
    '--advertise-client-urls',
    regionUrl(region, region.etcd.clientPort),
    '--listen-peer-urls',
    regionUrl(region, region.etcd.peerPort),
    '--initial-advertise-peer-urls',
    regionUrl(region, region.etcd.peerPort),
    '--initial-cluster',
    initialCluster,
    '--initial-cluster-state',
    'new',
    '--initial-cluster-token',
    'holdfast',
    '--heartbeat-interval',
    String(config.etcd.heartbeatMs),
    '--election-timeout',
    String(config.etcd.electionMs),
    // A member cut off from the others keeps starting elections, each with a higher term; without
    // pre-vote its return makes the majority's leader step down and etcd is unavailable while they
    // elect again — long enough, in the partition drill, for the new Patroni leader's lease to lapse.
    '--pre-vote',
  ];
}

/**
 * How soon Postgres gives up on a peer that went silent — a cut link sends no FIN or RST (issue
 * 14). Without these a session of a cut-off gateway lived on at the primary for the kernel's
 * 2-hour keepalive, holding its session advisory locks (the audit sealer's lease: the partition
 * drill found rows unsealed 30 s after the heal), and a walsender kept a cut-off synchronous
 * standby listed for wal_sender_timeout's default 60 s. Dead peers now go in ~10 s: idle 5 s +
 * 3 probes 2 s apart, or 10 s of unacknowledged data. A busy but live replica answers the
 * walsender's keepalive at half the timeout, so 10 s leaves room on a loaded 2-core machine.
 */
export const partitionParameters = {
  tcp_keepalives_idle: 5,
  tcp_keepalives_interval: 2,
  tcp_keepalives_count: 3,
  tcp_user_timeout: 10000,
  wal_sender_timeout: '10s',
  wal_receiver_timeout: '10s',
} as const;

type Scalar = string | number | boolean;

/**
 * The part of Patroni's dynamic configuration `npm run cluster` keeps in line with its own settings:
 * written into `bootstrap.dcs` (a new cluster starts with it) and PATCHed to `/config` on every `up`
 * (bootstrap applies only once) — one source, so the two cannot drift.
 */
export function patroniDynamicConfig(config: ClusterConfig): {
  ttl: number;
  loop_wait: number;
  retry_timeout: number;
  check_timeline: boolean;
  postgresql: { use_slots: boolean; parameters: Record<string, Scalar> };
} {
  return {
    ttl: config.patroni.ttl,
    loop_wait: config.patroni.loopWait,
    retry_timeout: config.patroni.retryTimeout,
    // A node on an older timeline never wins the leader race, however much WAL it has: the old
    // primary of a healed partition holds WAL nobody acknowledged, on a timeline the majority left.
    check_timeline: true,
    postgresql: {
      use_slots: config.patroni.useSlots,
      parameters: { wal_keep_size: config.patroni.walKeepSize, wal_retrieve_retry_interval: `${config.patroni.walRetrieveRetryMs}ms`, ...partitionParameters },
    },
  };
}

/** `key: value` lines at an indent (the flat maps of a Patroni YAML file). */
function yamlLines(entries: Record<string, Scalar>, indent: number): string {
  return Object.entries(entries)
    .map(([key, value]) => `${' '.repeat(indent)}${key}: ${String(value)}`)
    .join('\n');
}

export function patroniYaml(config: ClusterConfig, region: RegionLayout, nodeDir: string): string {
  const { node } = region;
  // Only the OTHER regions' etcd members, and no discovery of the rest (use_proxies): cut off, a
  // region's Patroni must find the DCS unreachable, not read it from its own isolated member.
  // etcd serves reads locally without quorum (Patroni asks for serializable reads), so the
  // partition drill's old primary kept reading "Lock owner: pg2; I am pg2" while the majority
  // promoted pg3 — and at the heal, Patroni 3.0.2's etcd3 update_leader, seeing its lease
  // replaced, wrote the leader key unconditionally over pg3's: split brain, the majority's
  // acknowledged writes discarded. Reading only from members elsewhere, a cut-off node reads nothing.
  const hosts = config.regions
    .filter((r) => r.name !== region.name)
    .map((r) => `${r.host}:${r.etcd.clientPort}`)
    .join(', ');
  // Only the cluster's own addresses: loopback, or the netns subnet (every region and the client).
  const network = config.network.mode === 'netns' ? config.network.subnet : '127.0.0.1/32';
  // SCRAM-SHA-256 only (issue 8): passwords never cross the wire, and md5 hashes are not accepted.
  const hba = [`host replication ${config.replication.name} ${network} scram-sha-256`, `host all all ${network} scram-sha-256`]
    .map((line) => `    - ${line}`)
    .join('\n');
  const dynamic = patroniDynamicConfig(config);
  return `scope: holdfast
name: ${node.name}
log:
  level: INFO
restapi:
  listen: ${region.host}:${node.restPort}
  connect_address: ${region.host}:${node.restPort}
etcd3:
  hosts: [${hosts}]
  use_proxies: true
bootstrap:
  dcs:
${yamlLines({ ttl: dynamic.ttl, loop_wait: dynamic.loop_wait, retry_timeout: dynamic.retry_timeout, check_timeline: dynamic.check_timeline }, 4)}
    maximum_lag_on_failover: 1048576
    # Invariant 2: a commit is acknowledged only once a standby has it.
    synchronous_mode: true
    synchronous_mode_strict: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      use_slots: ${String(dynamic.postgresql.use_slots)}
      # A steady load's latency (the soak, issue 14): 32MB of shared buffers held none of the hot
      # indexes once the attempt and audit tables grew, and a checkpoint's start sends a burst of
      # full-page images through synchronous replication (a soak's 0.4–1.4 s minute p99s came with
      # checkpoint starts).
      # 256MB per node, compressed full-page images, and checkpoints every 15 min instead.
      parameters:
${yamlLines(
  {
    wal_level: 'replica',
    hot_standby: '"on"',
    wal_log_hints: '"on"',
    max_wal_senders: 10,
    max_replication_slots: 10,
    max_connections: 200,
    shared_buffers: '256MB',
    wal_compression: '"on"',
    checkpoint_timeout: '15min',
    max_wal_size: '2GB',
    ...dynamic.postgresql.parameters,
  },
  8,
)}
  initdb:
    - encoding: UTF8
    - data-checksums
  pg_hba:
${hba}
postgresql:
  listen: ${region.host}:${node.pgPort}
  connect_address: ${region.host}:${node.pgPort}
  data_dir: ${nodeDir}/data
  # A new or re-initialised replica (\`patronictl reinit\`) copies the primary at once: the default
  # spread checkpoint left pg_basebackup waiting up to checkpoint_timeout (5 min) before a byte moved.
  basebackup:
    - checkpoint: fast
  bin_dir: ${config.pgBinDir}
  pgpass: ${nodeDir}/pgpass
  # Rewritten on every start (bootstrap.pg_hba applies only when the cluster is first created).
  pg_hba:
${hba}
  authentication:
    replication:
      username: ${config.replication.name}
      password: ${config.replication.password}
    superuser:
      username: ${config.superuser.name}
      password: ${config.superuser.password}
    rewind:
      username: ${config.superuser.name}
      password: ${config.superuser.password}
  parameters:
    unix_socket_directories: '${nodeDir}'
watchdog:
  mode: off
`;
}

export function haproxyCfg(config: ClusterConfig, region: RegionLayout): string {
  const servers = config.regions.map((r) => `  server ${r.node.name} ${r.host}:${r.node.pgPort} check port ${r.node.restPort}`).join('\n');
  return `global
  maxconn 2000

defaults
  mode tcp
  timeout connect 2s
  # With no primary (mid-failover) a connection waits here at most this long, then closes: the
  # gateway's own retry loop is the better place to wait.
  timeout queue 1s
  timeout client 30m
  timeout server 30m
  timeout check 1s

# Read-write: only the node whose Patroni REST says it is the primary.
listen primary_${region.name}
  bind ${region.host}:${region.haproxy.port}
  option httpchk OPTIONS /primary
  http-check expect status 200
  # The primary is checked every 500 ms; a server marked down (each replica, and a new primary until
  # its first passing check) every downinter: a new primary is routed to within that of answering /primary.
  default-server inter 500ms fastinter 250ms downinter ${config.haproxy.downIntervalMs}ms fall 2 rise 1 on-marked-down shutdown-sessions
${servers}

# Read-only stats (CSV at /stats;csv) for the admin console's live failover map (issue 13):
# which server passes the /primary check above is where writes go. Loopback only, no actions.
listen stats_${region.name}
  mode http
  bind ${region.host}:${region.haproxy.statsPort}
  timeout client 10s
  timeout server 10s
  stats enable
  stats uri /stats
`;
}
