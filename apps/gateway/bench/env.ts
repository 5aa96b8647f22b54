// The benchmark's settings, validated (lint forbids `process.env` outside env.ts files). The
// defaults keep a plain `npm run bench` under about four minutes on two cores.
import { z } from 'zod';

const schema = z.object({
  /** Concurrency levels to measure, e.g. "2,8": light load (latency) and saturation (throughput). */
  BENCH_CONCURRENCY: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .default('2,8'),
  BENCH_ROUND_SECONDS: z.coerce.number().positive().default(4),
  BENCH_ROUNDS: z.coerce.number().int().positive().default(3),
  /** Warm-up per target before the measured rounds (JIT, pools, caches). */
  BENCH_WARMUP_SECONDS: z.coerce.number().min(0).default(2),
  /** Users (each with an active TOTP factor) in the base run; `--users N` compares against it. */
  BENCH_BASE_USERS: z.coerce.number().int().min(100).default(10_000),
  /** Gateway worker processes (HOLDFAST_GATEWAY_WORKERS); empty = the gateway's own default (one per core). */
  BENCH_GATEWAY_WORKERS: z.string().regex(/^\d*$/).default(''),
  /** Extra gateway settings for an experiment, `NAME=value,NAME=value` (e.g. HOLDFAST_ADMISSION_MAX_WAIT_MS=10); applied to (d) and (e). */
  BENCH_GATEWAY_ENV: z
    .string()
    .regex(/^(HOLDFAST_[A-Z0-9_]+=[^,]*)?(,HOLDFAST_[A-Z0-9_]+=[^,]*)*$/, 'NAME=value pairs of HOLDFAST_ settings, comma-separated')
    .default(''),
  /** Extra node options for the gateway under load, e.g. --cpu-prof. */
  BENCH_GATEWAY_NODE_OPTIONS: z.string().default(''),
  /** `dist` runs the built bundle (as production does), `source` runs src/main.ts through tsx, `auto` picks dist when it exists. */
  BENCH_GATEWAY_FROM: z.enum(['auto', 'dist', 'source']).default('auto'),
  /** Where the results are written as JSON (relative to the repository root). */
  BENCH_OUTPUT: z.string().default('.holdfast/bench/last.json'),
  /** `--surge`: seconds of open-loop load, its rate as a multiple of the measured capacity, and the per-request timeout. */
  BENCH_SURGE_SECONDS: z.coerce.number().positive().default(30),
  BENCH_SURGE_FACTOR: z.coerce.number().positive().default(2),
  /** A fixed surge rate (req/s) instead of factor × the capacity just measured: for A/B runs of admission settings at the same load. */
  BENCH_SURGE_RATE: z.coerce.number().int().positive().optional(),
  BENCH_SURGE_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /**
   * `1`: the surge's client opens its connections during the surge (a connection storm on top of
   * the load) instead of before it, as relying apps' SDK clients keep theirs alive.
   */
  BENCH_SURGE_COLD: z.enum(['', '0', '1']).default(''),
  /** `--cluster`: the port offset and directory the cluster was (or will be) started with. */
  HOLDFAST_CLUSTER_PORT_OFFSET: z.coerce.number().int().min(0).max(20_000).default(0),
  HOLDFAST_CLUSTER_DIR: z.string().default('.holdfast/cluster'),
  PATH: z.string().default(''),
});

export const benchEnv = schema.parse(process.env);

const referenceSchema = z.object({
  REFERENCE_DATABASE_URL: z.string().min(1),
  REFERENCE_PORT: z.coerce.number().int().min(1).max(65535),
  REFERENCE_POOL_MAX: z.coerce.number().int().min(1).default(8),
  /** The application's id and the hex SHA-256 of its API key secret (what the gateway compares a bearer against). */
  REFERENCE_APPLICATION_ID: z.uuid(),
  REFERENCE_KEY_ID: z.string().min(1),
  REFERENCE_SECRET_HASH: z.string().regex(/^[0-9a-f]{64}$/),
  /** The keyring, as the gateway gets it: `kid:base64key,…` and the active key id. */
  REFERENCE_ENCRYPTION_KEYS: z.string().min(1),
  REFERENCE_ACTIVE_KEY_ID: z.string().min(1),
});

/** The reference server's settings (bench/reference-server.ts, a process of its own). */
export function readReferenceEnv(): z.infer<typeof referenceSchema> {
  return referenceSchema.parse(process.env);
}
