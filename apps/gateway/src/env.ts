// The only place the gateway reads process.env (STYLE habit 5): validated once at start.
import { defaultPushSettings } from '@holdfast/api';
import { isSecureOrLoopbackUrl } from '@holdfast/core';
import { z } from 'zod';

const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const gatewayEnvSchema = z.object({
  /** One URL, or several comma-separated URLs to the same database (own region's HAProxy first). */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/[^,]+(,postgres(ql)?:\/\/[^,]+)*$/, 'postgres:// connection string(s), comma-separated'),
  HOLDFAST_HOST: z.string().default('127.0.0.1'),
  HOLDFAST_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOLDFAST_GATEWAY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('gw-local-1'),
  HOLDFAST_REGION: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,32}$/)
    .default('local'),
  /** `kid:base64key,…` — 32-byte AES keys; secrets are encrypted under HOLDFAST_ACTIVE_KEY_ID. */
  HOLDFAST_ENCRYPTION_KEYS: z.string().min(1),
  HOLDFAST_ACTIVE_KEY_ID: z.string().min(1),
  HOLDFAST_PUBLIC_URL: z.url().default('http://localhost:3000'),
  HOLDFAST_ISSUER: z.string().min(1).max(64).default('Holdfast'),
  HOLDFAST_TOTP_WINDOW: z.coerce.number().int().min(0).max(10).default(1),
  HOLDFAST_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(10),
  HOLDFAST_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(900),
  HOLDFAST_LOCKOUT_HARD_LIMIT: z.coerce.number().int().min(1).max(100).default(100),
  /** Consecutive failures across all of a user's factors that lock the account (until factors.unlock); NIST cap 100. */
  HOLDFAST_ACCOUNT_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(100),
  HOLDFAST_CANARY_INTERVAL_MS: z.coerce.number().int().min(200).default(5000),
  /** How long a request may retry the database while it fails over, before answering 503. */
  HOLDFAST_REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Cap on how long metadata (application by API key, factor lists) is cached; 0 turns the cache off. */
  HOLDFAST_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  HOLDFAST_DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * A small pool of its own for the canary, /readyz's database probe and the failure-counter
   * writes, so request traffic that fills HOLDFAST_DB_POOL_MAX cannot make the gateway look dead.
   */
  HOLDFAST_DB_RESERVED_POOL_MAX: z.coerce.number().int().min(1).max(10).default(2),
  // Flood shield (rate-limit.ts): per-process token buckets checked before tRPC and any database
  // work. Generous for real traffic (the bench runs ~500/s from one address with one key); the
  // failed-authentication buckets are the strict ones. 429 RATE_LIMITED with Retry-After.
  HOLDFAST_RATE_IP_PER_SECOND: z.coerce.number().min(1).default(2000),
  HOLDFAST_RATE_IP_BURST: z.coerce.number().int().min(1).default(4000),
  HOLDFAST_RATE_KEY_PER_SECOND: z.coerce.number().min(1).default(2000),
  HOLDFAST_RATE_KEY_BURST: z.coerce.number().int().min(1).default(4000),
  /** Failed API-key authentications allowed per address (and, separately, per key id). */
  HOLDFAST_RATE_AUTH_FAILURES_PER_SECOND: z.coerce.number().min(0.01).default(5),
  HOLDFAST_RATE_AUTH_FAILURES_BURST: z.coerce.number().int().min(1).default(50),
  // Admission queue (transport/admission.ts): requests in the router at once (default: twice
  // HOLDFAST_DB_POOL_MAX), how many may wait, and for how long before a fast 503 GATEWAY_OVERLOADED.
  HOLDFAST_ADMISSION_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).optional(),
  HOLDFAST_ADMISSION_MAX_QUEUE: z.coerce.number().int().min(0).max(100_000).default(256),
  HOLDFAST_ADMISSION_MAX_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(40),
  /** The queue's wait bound while the worker is shedding load (transport/admission.ts). */
  HOLDFAST_ADMISSION_SHED_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(5),
  /** The in-flight limit while the worker sheds load with a busy event loop (default: half the pool, at least 2; ≥ the max: never lowered). */
  HOLDFAST_ADMISSION_MIN_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).optional(),
  /** How often failure counts of ended minutes are written (they are also written at shutdown). */
  HOLDFAST_AUTH_FAILURE_FLUSH_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  // Retention job (services/maintenance/retention.ts); one gateway at a time runs it.
  /** 0 turns the job off on this gateway. */
  HOLDFAST_RETENTION_INTERVAL_MS: z.coerce.number().int().min(0).default(600_000),
  HOLDFAST_RETENTION_FIRST_RUN_MS: z.coerce.number().int().min(0).default(60_000),
  /** Attempts and expired/consumed rows are deleted after this many hours (> the 10-minute replay window). */
  HOLDFAST_RETENTION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 365)
    .default(24),
  HOLDFAST_RETENTION_AUTH_FAILURE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Audit events older than this many days are deleted; 0 (default) keeps them for ever. Needs a role that may delete audit rows. */
  HOLDFAST_RETENTION_BATCH: z.coerce.number().int().min(1).max(100_000).default(1000),
  // Webhook delivery worker (api/services/webhooks): how often it looks for due deliveries, the
  // first retry's delay (later ones are multiples: 10 s, 30 s, 2 min, 10 min, 1 h… at the default),
  // and how long one attempt may wait for the receiver. Tests shorten the first two.
  HOLDFAST_WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  HOLDFAST_WEBHOOK_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  HOLDFAST_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
  /**
   * Request worker processes (node:cluster, sharing the port), beside one background process.
   * Default (workers/process-plan.ts): one per core, half the cores when the database is on this
   * machine. 1 = no primary: one process serves requests and runs the background jobs itself.
   * Each worker has its own pools (HOLDFAST_DB_POOL_MAX each).
   */
  HOLDFAST_GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** Set by the cluster primary for each worker it forks (1…N); not a setting. */
  HOLDFAST_WORKER_SLOT: z.coerce.number().int().min(1).max(64).optional(),
  /** Set by the cluster primary for its background process (workers/background.ts); not a setting. */
  HOLDFAST_WORKER_ROLE: z.literal('background').optional(),
  /**
   * The admin console's origin (issue 13): admin passkeys are bound to it (RP ID = its host name,
   * the one allowed origin), applied to the built-in system application at start. https, or http
   * on a loopback host.
   */
  HOLDFAST_ADMIN_ORIGIN: z
    .url()
    .default('http://localhost:3003')
    .refine((value) => isSecureOrLoopbackUrl(value), 'https, or http on a loopback host')
    .transform((value) => new URL(value).origin),
  // Push approval (issue 11).
  /** The push PWA's origin: pairing links point at it and every device signature names it. */
  HOLDFAST_PUSH_PUBLIC_URL: z.url().default(defaultPushSettings.publicUrl),
  /** VAPID contact for push services (RFC 8292 `sub`): mailto: or https:. */
  HOLDFAST_PUSH_VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)\S+$/, 'a mailto: or https: URL')
    .default(defaultPushSettings.vapidSubject),
  /**
   * Comma-separated host[:port] patterns (`*.example.com`) a device's push subscription may point
   * at. The gateway sends to URLs devices give it: everything else is refused at pairing (SSRF).
   */
  HOLDFAST_PUSH_SERVICE_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.*:[\]-]+(,[A-Za-z0-9.*:[\]-]+)*$/, 'host[:port] patterns, comma-separated')
    .default(defaultPushSettings.serviceHosts.join(',')),
  /** A PEM file of extra CA certificates trusted for push services (a test's local push service). */
  HOLDFAST_PUSH_CA_FILE: z.string().min(1).optional(),
  // Sealed audit log (issue 12, apps/gateway/src/audit-log). Every gateway runs the sealer; an
  // advisory lock lets one seal at a time, and another takes over within an interval if it dies.
  /** How often the sealer seals newly committed audit rows and signs a checkpoint; 0 = never on this gateway. */
  HOLDFAST_AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * The background process's CPU priority (nice, 0–19; its main thread): its jobs (sealing,
   * retention) can wait a few milliseconds for the cores, a request cannot. At c=8 on two cores
   * (`npm run bench`, sealer on vs off) the sealer added 0.0 / 0.6 / 4.6 ms to the p99 at 10
   * against 0.8–12.5 ms (median 5.1, six runs) at 0, its lag still ≤ 1.1 s. 0: level with requests.
   */
  HOLDFAST_BACKGROUND_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Rows per sealing pass (one transaction, one checkpoint); a backlog is sealed pass after pass. */
  HOLDFAST_AUDIT_SEAL_BATCH: z.coerce.number().int().min(1).max(100_000).default(5000),
  /** How often this gateway checks the database's latest checkpoint against the one it verified; 0 = never. */
  HOLDFAST_AUDIT_CHECK_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /**
   * Where this gateway keeps the latest checkpoint it verified (a file per worker). Default: a
   * folder per gateway and database under the OS temp dir — set a disk that survives reboots.
   */
  HOLDFAST_AUDIT_STATE_DIR: z.string().min(1).optional(),
  // Audit outage spool (issue 12, src/audit-spool): events written on their own that the database
  // cannot take wait on local disk and are replayed when it is back.
  /** Its directory (default `.holdfast/audit-spool/<gateway id>/<database name>`); cluster workers use `w<slot>` under it. */
  HOLDFAST_AUDIT_SPOOL_DIR: z.string().min(1).optional(),
  /** Cap in bytes; beyond it new events are dropped (counted in metrics, logged), never waited for. */
  HOLDFAST_AUDIT_SPOOL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  /** Events per replay INSERT, and a pause between batches (spares a database that just came back). */
  HOLDFAST_AUDIT_SPOOL_REPLAY_BATCH: z.coerce.number().int().min(1).max(1000).default(200),
  HOLDFAST_AUDIT_SPOOL_REPLAY_PAUSE_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  // Live audit stream (issue 12, src/audit-stream: GET /v1/audit/stream, Server-Sent Events).
  /** Open streams per worker process; beyond it a new one is refused with 503 GATEWAY_OVERLOADED. */
  HOLDFAST_AUDIT_STREAM_MAX: z.coerce.number().int().min(0).max(100_000).default(100),
  /** A comment line this often keeps idle streams open through proxies and shows a dead client. */
  HOLDFAST_AUDIT_STREAM_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  /** Streams are woken by NOTIFY on each seal; this slow re-read covers a lost notification. */
  HOLDFAST_AUDIT_STREAM_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  // Syslog forwarder of the sealed audit log (issue 12, src/audit-forwarder): one gateway at a time
  // (advisory lock) sends sealed records in leaf order, RFC 5424 octet-counted, and resumes after
  // the last leaf the collector was handed (the database is the spool). Off when the URL is unset.
  /** `tcp://host:port` or `tls://host:port` (TLS 1.2+, the certificate checked against the host). */
  HOLDFAST_AUDIT_SYSLOG_URL: z
    .string()
    .regex(/^(tcp|tls):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'tcp://host:port or tls://host:port')
    .optional(),
  /** PEM of the private CA that signs the collector's certificate (tls:// only): trusted instead of the system roots. */
  HOLDFAST_AUDIT_SYSLOG_CA_FILE: z.string().min(1).optional(),
  /** How often the forwarder looks for newly sealed records (reconnects back off up to 5 s). */
  HOLDFAST_AUDIT_SYSLOG_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Records per read and per send. */
  HOLDFAST_AUDIT_SYSLOG_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * The live failover map's sources (issue 13): a JSON file of regions with their Patroni REST,
   * etcd, HAProxy stats and gateway URLs, written by `npm run cluster`. Unset: this gateway and its
   * own database only (npm start).
   */
  HOLDFAST_TOPOLOGY_FILE: z.string().min(1).optional(),
  /** Apply pending migrations at start (advisory-locked, safe with many gateways starting at once). */
  HOLDFAST_MIGRATE: boolean.default(true),
});

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;

export function readGatewayEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  const parsed = gatewayEnvSchema.safeParse(source);
  if (!parsed.success) {
    // Name the variables, never echo their values (they include keys and passwords).
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`invalid gateway configuration:\n${problems}`);
  }
  return parsed.data;
}
