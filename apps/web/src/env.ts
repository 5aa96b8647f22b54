// The only place the web app reads process.env (STYLE habit 5): validated once, on the server.
import { z } from 'zod';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

const webEnvSchema = z
  .object({
    /** Gateway base URLs, comma-separated, preferred first (e.g. the nearest region's). */
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
    /**
     * The portal's URL as users' browsers see it (e.g. https://mfa.example.com). It decides whether
     * this is a developer's machine (localhost, 127.0.0.1, [::1]) or a deployment: outside localhost
     * it must be https, the session cookie is `__Host-` and always `Secure`, HSTS is sent and the
     * session secret is required. Required under `next start` (NODE_ENV=production) — a forgotten
     * setting must not quietly turn those off; `next dev` defaults to http://localhost:3000.
     */
    HOLDFAST_WEB_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Key that seals the session cookie (AES-256-GCM). Required outside localhost; on a developer's
     * machine the cookie may hold the gateway's session token as is (still httpOnly, SameSite=Strict,
     * short-lived).
     */
    HOLDFAST_WEB_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  })
  .superRefine((env, context) => {
    if (env.HOLDFAST_WEB_PUBLIC_URL === undefined) {
      if (env.NODE_ENV === 'production') {
        context.addIssue({ code: 'custom', path: ['HOLDFAST_WEB_PUBLIC_URL'], message: "required in production: the portal's public URL" });
      }
      return;
    }
    const url = new URL(env.HOLDFAST_WEB_PUBLIC_URL);
    if (loopbackHosts.has(url.hostname)) return;
    if (url.protocol !== 'https:') {
      context.addIssue({ code: 'custom', path: ['HOLDFAST_WEB_PUBLIC_URL'], message: 'must be https outside localhost' });
    }
    if (env.HOLDFAST_WEB_SESSION_SECRET === undefined) {
      context.addIssue({ code: 'custom', path: ['HOLDFAST_WEB_SESSION_SECRET'], message: 'required outside localhost' });
    }
  })
  .transform((env) => {
    const publicUrl = (env.HOLDFAST_WEB_PUBLIC_URL ?? 'http://localhost:3000').replace(/\/$/, '');
    const url = new URL(publicUrl);
    return {
      HOLDFAST_GATEWAY_URLS: env.HOLDFAST_GATEWAY_URLS,
      HOLDFAST_WEB_SESSION_SECRET: env.HOLDFAST_WEB_SESSION_SECRET,
      publicUrl,
      /** A developer's machine: the only place the portal may run without TLS and without a session secret. */
      isLocalhost: loopbackHosts.has(url.hostname),
      /** Cookies are Secure (and `__Host-`) everywhere except plain http on localhost. */
      isHttps: url.protocol === 'https:',
      isDevelopment: env.NODE_ENV === 'development',
    };
  });

export type WebEnv = z.infer<typeof webEnvSchema>;

export function readWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const parsed = webEnvSchema.safeParse(source);
  if (!parsed.success) {
    // Name the variables, never echo their values (the session secret is one).
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
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
