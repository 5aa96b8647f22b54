// The only place the web app reads process.env (STYLE habit 5): validated once, on the server.
import { describeEnvProblems, describePublicUrl, gatewayUrlsSetting, publicUrlIssues, publicUrlSetting } from '@holdfast/validators';
import { z } from 'zod';

const webEnvSchema = z
  .object({
    /** Gateway base URLs, comma-separated, preferred first (e.g. the nearest region's). */
    HOLDFAST_GATEWAY_URLS: gatewayUrlsSetting,
    /**
     * The portal's URL as users' browsers see it (e.g. https://mfa.example.com). It decides whether
     * this is a developer's machine (localhost, 127.0.0.1, [::1]) or a deployment: outside localhost
     * it must be https, the session cookie is `__Host-` and always `Secure`, HSTS is sent and the
     * session secret is required. Required under `next start` (NODE_ENV=production) — a forgotten
     * setting must not quietly turn those off; `next dev` defaults to http://localhost:3000.
     */
    HOLDFAST_WEB_PUBLIC_URL: publicUrlSetting,
    /**
     * Key that seals the session cookie (AES-256-GCM). Required outside localhost; on a developer's
     * machine the cookie may hold the gateway's session token as is (still httpOnly, SameSite=Strict,
     * short-lived).
     */
    HOLDFAST_WEB_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  })
  .superRefine((env, context) => {
    const issues = publicUrlIssues({
      publicUrl: env.HOLDFAST_WEB_PUBLIC_URL,
      sessionSecret: env.HOLDFAST_WEB_SESSION_SECRET,
      isProduction: env.NODE_ENV === 'production',
      publicUrlName: 'HOLDFAST_WEB_PUBLIC_URL',
      sessionSecretName: 'HOLDFAST_WEB_SESSION_SECRET',
      appName: 'the portal',
    });
    for (const issue of issues) context.addIssue({ code: 'custom', ...issue });
  })
  .transform((env) => {
    const { publicUrl, isLocalhost, isHttps } = describePublicUrl(env.HOLDFAST_WEB_PUBLIC_URL ?? 'http://localhost:3000');
    return {
      HOLDFAST_GATEWAY_URLS: env.HOLDFAST_GATEWAY_URLS,
      HOLDFAST_WEB_SESSION_SECRET: env.HOLDFAST_WEB_SESSION_SECRET,
      publicUrl,
      /** A developer's machine: the only place the portal may run without TLS and without a session secret. */
      isLocalhost,
      /** Cookies are Secure (and `__Host-`) everywhere except plain http on localhost. */
      isHttps,
      isDevelopment: env.NODE_ENV === 'development',
    };
  });

export type WebEnv = z.infer<typeof webEnvSchema>;

export function readWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const parsed = webEnvSchema.safeParse(source);
  if (!parsed.success) {
    // Name the variables, never echo their values (the session secret is one).
    const problems = describeEnvProblems(parsed.error.issues);
    throw new Error(`invalid web app configuration:\n${problems}`);
  }
  return parsed.data;
}

let cached: WebEnv | null = null;

/** Read lazily so `next build` (which imports route modules) does not need the runtime env. */
export function webEnv(): WebEnv {
  cached ??= readWebEnv();
  return cached;
}
