// The benchmark's settings, validated (lint forbids `process.env` outside env.ts files).
import { z } from 'zod';

const schema = z.object({
  /** Concurrency levels to measure, e.g. "2,8": light load (latency) and saturation (throughput). */
  BENCH_CONCURRENCY: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .default('2,8'),
  BENCH_ROUND_SECONDS: z.coerce.number().positive().default(5),
  BENCH_ROUNDS: z.coerce.number().int().positive().default(3),
  /** Extra node options for the gateway under load, e.g. --cpu-prof. */
  BENCH_GATEWAY_NODE_OPTIONS: z.string().default(''),
  PATH: z.string().default(''),
});

export const benchEnv = schema.parse(process.env);
