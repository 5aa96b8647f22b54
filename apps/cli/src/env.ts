// The only place the `holdfast` command reads process.env (STYLE habit 5): validated here.
import { readGatewayEnv, type GatewayEnv } from '@holdfast/gateway';
import { z } from 'zod';

/** `holdfast start` (zero-setup) settings: everything optional; without DATABASE_URL an embedded Postgres runs. */
export const startEnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  HOLDFAST_ENCRYPTION_KEYS: z.string().optional(),
  HOLDFAST_ACTIVE_KEY_ID: z.string().optional(),
  HOLDFAST_STATE_DIR: z.string().optional(),
  HOLDFAST_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Where `holdfast start` serves the web app (enrollment portal) on 127.0.0.1. */
  HOLDFAST_WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
});
export type StartEnv = z.infer<typeof startEnvSchema>;

export function readStartEnv(source: Record<string, string | undefined> = process.env): StartEnv {
  return startEnvSchema.parse(source);
}

/**
 * The in-process gateway's configuration: `defaults`, then this process's environment, then
 * `overrides` (what the launcher decided: the database it started, the local key), validated by
 * the gateway's own schema.
 */
export function readLauncherGatewayEnv(options: { defaults: Record<string, string>; overrides: Record<string, string | undefined> }): GatewayEnv {
  return readGatewayEnv({ ...options.defaults, ...process.env, ...options.overrides });
}

/** The environment a child process (the web app) inherits, with `extra` on top. */
export function childProcessEnv(extra: Record<string, string>): Record<string, string | undefined> {
  return { ...process.env, ...extra };
}
