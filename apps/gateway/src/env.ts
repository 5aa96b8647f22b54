// The only place the gateway reads process.env (STYLE habit 5): validated once at start.
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
  HOLDFAST_CANARY_INTERVAL_MS: z.coerce.number().int().min(200).default(5000),
  /** How long a request may retry the database while it fails over, before answering 503. */
  HOLDFAST_REQUEST_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Cap on how long metadata (application by API key, factor lists) is cached; 0 turns the cache off. */
  HOLDFAST_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  HOLDFAST_DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
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
