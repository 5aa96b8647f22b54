// The only place the admin console reads process.env (STYLE habit 5): validated once, on the server.
import { describeEnvProblems, describePublicUrl, gatewayUrlsSetting, publicUrlIssues, publicUrlSetting } from '@holdfast/validators';
import { z } from 'zod';

const adminEnvSchema = z
  .object({
    /** Gateway base URLs, comma-separated, preferred first — the same variable the portal reads. */
    HOLDFAST_GATEWAY_URLS: gatewayUrlsSetting,
    /** The port `npm start -w @holdfast/admin` listens on (127.0.0.1); the default public URL uses it. */
    HOLDFAST_ADMIN_PORT: z.coerce.number().int().min(1).max(65_535).default(3003),
    /**
     * The console's URL as operators' browsers see it (e.g. https://admin.mfa.example.com). Outside
     * localhost it must be https: the cookie is then `__Host-` and Secure, HSTS is sent and the
     * session secret is required. It must also be the gateways' HOLDFAST_ADMIN_ORIGIN (admin
     * passkeys are bound to it). Required under `next start`: a forgotten setting must not quietly
     * turn those off.
     */
    HOLDFAST_ADMIN_PUBLIC_URL: publicUrlSetting,
    /**
     * Key that seals the admin cookie (AES-256-GCM via HKDF). Required outside localhost. On a
     * developer's machine without it, each server process makes a random key: the cookie is still
     * sealed, and sessions end when the console restarts.
     */
    HOLDFAST_ADMIN_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  })
  .superRefine((env, context) => {
    const issues = publicUrlIssues({
      publicUrl: env.HOLDFAST_ADMIN_PUBLIC_URL,
      sessionSecret: env.HOLDFAST_ADMIN_SESSION_SECRET,
      isProduction: env.NODE_ENV === 'production',
      publicUrlName: 'HOLDFAST_ADMIN_PUBLIC_URL',
      sessionSecretName: 'HOLDFAST_ADMIN_SESSION_SECRET',
      appName: 'the console',
    });
    for (const issue of issues) context.addIssue({ code: 'custom', ...issue });
  })
  .transform((env) => {
    const { publicUrl, isLocalhost, isHttps } = describePublicUrl(env.HOLDFAST_ADMIN_PUBLIC_URL ?? `http://localhost:${env.HOLDFAST_ADMIN_PORT}`);
    return {
      HOLDFAST_GATEWAY_URLS: env.HOLDFAST_GATEWAY_URLS,
      HOLDFAST_ADMIN_SESSION_SECRET: env.HOLDFAST_ADMIN_SESSION_SECRET,
      port: env.HOLDFAST_ADMIN_PORT,
      publicUrl,
      /** A developer's machine: the only place the console may run without TLS and without a session secret. */
      isLocalhost,
      /** The cookie is Secure (and `__Host-`) everywhere except plain http on localhost. */
      isHttps,
      isDevelopment: env.NODE_ENV === 'development',
    };
  });

export type AdminEnv = z.infer<typeof adminEnvSchema>;

export function readAdminEnv(source: Record<string, string | undefined> = process.env): AdminEnv {
  const parsed = adminEnvSchema.safeParse(source);
  if (!parsed.success) {
    // Name the variables, never echo their values (the session secret is one).
    const problems = describeEnvProblems(parsed.error.issues);
    throw new Error(`invalid admin console configuration:\n${problems}`);
  }
  return parsed.data;
}

let cached: AdminEnv | null = null;

/** Read lazily so `next build` (which imports route modules) does not need the runtime env. */
export function adminEnv(): AdminEnv {
  cached ??= readAdminEnv();
  return cached;
}
