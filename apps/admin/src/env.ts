// The only place the admin console reads process.env (STYLE habit 5): validated once, on the server.
import { z } from 'zod';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

const adminEnvSchema = z
  .object({
    /** Gateway base URLs, comma-separated, preferred first — the same variable the portal reads. */
    HOLDFAST_GATEWAY_URLS: z
      .string()
      .default('http://127.0.0.1:4000')
      .transform((value) =>
        value
          .split(',')
          .map((url) => url.trim().replace(/\/$/, ''))
          .filter((url) => url !== ''),
      )
      .pipe(z.array(z.url()).min(1, 'at least one gateway URL')),
    /** The port `npm start -w @holdfast/admin` listens on (127.0.0.1); the default public URL uses it. */
    HOLDFAST_ADMIN_PORT: z.coerce.number().int().min(1).max(65_535).default(3003),
    /**
     * The console's URL as operators' browsers see it (e.g. https://admin.mfa.example.com). Outside
     * localhost it must be https: the cookie is then `__Host-` and Secure, HSTS is sent and the
     * session secret is required. It must also be the gateways' HOLDFAST_ADMIN_ORIGIN (admin
     * passkeys are bound to it). Required under `next start`: a forgotten setting must not quietly
     * turn those off.
     */
    HOLDFAST_ADMIN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Key that seals the admin cookie (AES-256-GCM via HKDF). Required outside localhost. On a
     * developer's machine without it, each server process makes a random key: the cookie is still
     * sealed, and sessions end when the console restarts.
     */
    HOLDFAST_ADMIN_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  })
  .superRefine((env, context) => {
    if (env.HOLDFAST_ADMIN_PUBLIC_URL === undefined) {
      if (env.NODE_ENV === 'production') {
        context.addIssue({ code: 'custom', path: ['HOLDFAST_ADMIN_PUBLIC_URL'], message: "required in production: the console's public URL" });
      }
      return;
    }
    const url = new URL(env.HOLDFAST_ADMIN_PUBLIC_URL);
    if (loopbackHosts.has(url.hostname)) return;
    if (url.protocol !== 'https:') {
      context.addIssue({ code: 'custom', path: ['HOLDFAST_ADMIN_PUBLIC_URL'], message: 'must be https outside localhost' });
    }
    if (env.HOLDFAST_ADMIN_SESSION_SECRET === undefined) {
      context.addIssue({ code: 'custom', path: ['HOLDFAST_ADMIN_SESSION_SECRET'], message: 'required outside localhost' });
    }
  })
  .transform((env) => {
    const publicUrl = (env.HOLDFAST_ADMIN_PUBLIC_URL ?? `http://localhost:${env.HOLDFAST_ADMIN_PORT}`).replace(/\/$/, '');
    const url = new URL(publicUrl);
    return {
      HOLDFAST_GATEWAY_URLS: env.HOLDFAST_GATEWAY_URLS,
      HOLDFAST_ADMIN_SESSION_SECRET: env.HOLDFAST_ADMIN_SESSION_SECRET,
      port: env.HOLDFAST_ADMIN_PORT,
      publicUrl,
      /** A developer's machine: the only place the console may run without TLS and without a session secret. */
      isLocalhost: loopbackHosts.has(url.hostname),
      /** The cookie is Secure (and `__Host-`) everywhere except plain http on localhost. */
      isHttps: url.protocol === 'https:',
      isDevelopment: env.NODE_ENV === 'development',
    };
  });

export type AdminEnv = z.infer<typeof adminEnvSchema>;

export function readAdminEnv(source: Record<string, string | undefined> = process.env): AdminEnv {
  const parsed = adminEnvSchema.safeParse(source);
  if (!parsed.success) {
    // Name the variables, never echo their values (the session secret is one).
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
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
