// The only place the web app reads process.env (STYLE habit 5): validated once, on the server.
import { z } from 'zod';

const webEnvSchema = z.object({
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
   * Optional key that seals the session cookie (AES-256-GCM). Without it the cookie holds the
   * gateway's session token as is — still httpOnly, SameSite=Strict and short-lived.
   */
  HOLDFAST_WEB_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
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
