// The only place the `holdfast` command reads process.env (STYLE habit 5): validated here.
import { readGatewayEnv, type GatewayEnv } from '@holdfast/gateway';
import { z } from 'zod';

/** `holdfast start` (zero-setup) settings: everything optional; without DATABASE_URL an embedded Postgres runs. */
export const startEnvSchema = z.object({
  /** The gateways' connection string: the least-privilege gateway role (issue 8). */
  DATABASE_URL: z.string().optional(),
  /** The migrator role (owns the schema, runs DDL). Set: `start` migrates with it before the gateway starts. */
  DATABASE_MIGRATION_URL: z.string().optional(),
  HOLDFAST_ENCRYPTION_KEYS: z.string().optional(),
  HOLDFAST_ACTIVE_KEY_ID: z.string().optional(),
  HOLDFAST_STATE_DIR: z.string().optional(),
  HOLDFAST_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Where `holdfast start` serves the web app (enrollment portal) on 127.0.0.1. */
  HOLDFAST_WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Where `holdfast start` serves the demo relying application (apps/demo) on 127.0.0.1. */
  HOLDFAST_DEMO_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  /** Where `holdfast start` serves the push-approval PWA (apps/push) on 127.0.0.1 (localhost is a secure origin). */
  HOLDFAST_PUSH_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  /** Where `holdfast start` serves the admin console (apps/admin) on 127.0.0.1. */
  HOLDFAST_ADMIN_PORT: z.coerce.number().int().min(1).max(65535).default(3003),
});
export type StartEnv = z.infer<typeof startEnvSchema>;

export function readStartEnv(source: Record<string, string | undefined> = process.env): StartEnv {
  return startEnvSchema.parse(source);
}

/**
 * The gateway's configuration — `defaults`, then this process's environment, then `overrides`
 * (what the launcher decided: the database it started, the local key) — validated by the
 * gateway's own schema, and the environment to start the gateway process with (it validates it
 * again itself): checked here first so a bad setting stops `start` before anything runs.
 */
export function launcherGatewayEnv(options: { defaults: Record<string, string>; overrides: Record<string, string | undefined> }): {
  env: GatewayEnv;
  processEnv: Record<string, string>;
} {
  const merged: Record<string, string | undefined> = { ...options.defaults, ...process.env, ...options.overrides };
  const processEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(merged)) if (value !== undefined) processEnv[name] = value;
  return { env: readGatewayEnv(merged), processEnv };
}

/**
 * Settings the web app reads, besides its own `HOLDFAST_WEB_*` ones, and what any Node process
 * needs to run. Nothing else is handed over: no encryption keys, no database URLs (issue 8 —
 * each process gets only the settings it needs).
 */
const webSettings = new Set(['HOLDFAST_GATEWAY_URLS', 'NODE_ENV', 'PORT', 'PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NEXT_TELEMETRY_DISABLED']);

/** The environment the web app gets: the allowed settings from `source`, with `extra` on top. */
export function webProcessEnv(extra: Record<string, string>, source: Record<string, string | undefined> = process.env): Record<string, string> {
  return appProcessEnv('HOLDFAST_WEB_', extra, source);
}

/** The push PWA's environment: the same rule, with its own `HOLDFAST_PUSH_*` settings (none is a secret). */
export function pushProcessEnv(extra: Record<string, string>, source: Record<string, string | undefined> = process.env): Record<string, string> {
  return appProcessEnv('HOLDFAST_PUSH_', extra, source);
}

/** The admin console's environment: the same rule, with its own `HOLDFAST_ADMIN_*` settings. */
export function adminProcessEnv(extra: Record<string, string>, source: Record<string, string | undefined> = process.env): Record<string, string> {
  return appProcessEnv('HOLDFAST_ADMIN_', extra, source);
}

/** `holdfast admin …`: only the database is needed (no keyring: an admin account holds no encrypted secret). */
export const adminCommandEnvSchema = z.object({
  DATABASE_URL: z.string({ error: 'set DATABASE_URL to the database the gateways use' }).min(1, 'set DATABASE_URL to the database the gateways use'),
  HOLDFAST_REGION: z.string().min(1).default('local'),
});
export type AdminCommandEnv = z.infer<typeof adminCommandEnvSchema>;

export function readAdminCommandEnv(source: Record<string, string | undefined> = process.env): AdminCommandEnv {
  return adminCommandEnvSchema.parse(source);
}

function appProcessEnv(prefix: string, extra: Record<string, string>, source: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    // `<prefix>PORT` is the launcher's own (it passes the port on the command line).
    if (value !== undefined && name !== `${prefix}PORT` && (webSettings.has(name) || name.startsWith(prefix))) env[name] = value;
  }
  return { ...env, ...extra };
}
