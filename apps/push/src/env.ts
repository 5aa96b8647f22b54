// The only place the push PWA reads process.env (STYLE habit 5): validated once, on the server.
// The PWA holds no secret of its own — device keys live in each browser's IndexedDB — so its
// settings are where the gateways are and where the PWA itself is served.
import { z } from 'zod';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

const pushEnvSchema = z
  .object({
    /** Gateway base URLs, comma-separated, preferred first (e.g. the nearest region's). Required. */
    HOLDFAST_GATEWAY_URLS: z
      .string({ error: 'required: comma-separated gateway URLs' })
      .transform((value) =>
        value
          .split(',')
          .map((url) => url.trim().replace(/\/$/, ''))
          .filter((url) => url !== ''),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1, 'at least one gateway URL')),
    /**
     * This PWA's origin as phones see it: the gateways sign pairing links for it and bind every
     * device signature to it (the audience). Outside localhost it must be https — service workers,
     * Web Push and WebCrypto exist only on secure origins.
     */
    HOLDFAST_PUSH_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3002'),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  })
  .superRefine((env, context) => {
    const url = new URL(env.HOLDFAST_PUSH_PUBLIC_URL);
    if (!loopbackHosts.has(url.hostname) && url.protocol !== 'https:') {
      context.addIssue({ code: 'custom', path: ['HOLDFAST_PUSH_PUBLIC_URL'], message: 'must be https outside localhost' });
    }
  })
  .transform((env) => {
    const url = new URL(env.HOLDFAST_PUSH_PUBLIC_URL);
    return {
      HOLDFAST_GATEWAY_URLS: env.HOLDFAST_GATEWAY_URLS,
      publicUrl: url.origin,
      /** A developer's machine: the only place the PWA runs without TLS (and so without HSTS). */
      isLocalhost: loopbackHosts.has(url.hostname),
      isDevelopment: env.NODE_ENV === 'development',
    };
  });

export type PushEnv = z.infer<typeof pushEnvSchema>;

export function readPushEnv(source: Record<string, string | undefined> = process.env): PushEnv {
  const parsed = pushEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`invalid push app configuration:\n${problems}`);
  }
  return parsed.data;
}

let cached: PushEnv | null = null;

/** Read lazily so `next build` (which imports route modules) does not need the runtime env. */
export function pushEnv(): PushEnv {
  cached ??= readPushEnv();
  return cached;
}
