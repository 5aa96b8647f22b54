// The only place the demo reads process.env (STYLE habit 5): validated once at start, so a missing
// key or a bad URL stops the process with a message instead of failing at the first login.
import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

export const demoEnvSchema = z.object({
  HOLDFAST_DEMO_HOST: z.string().default('127.0.0.1'),
  HOLDFAST_DEMO_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /**
   * The origin the browser uses for the demo: session cookies get `Secure` when it is https, the
   * hosted page's callback is built from it, and WebAuthn checks the assertion's origin against
   * the application's allowed origins — so it must be listed there (`npm start` does that).
   */
  HOLDFAST_DEMO_PUBLIC_URL: httpUrl.optional(),
  /** Gateway base URLs, comma-separated, nearest first (the SDK fails over between them). */
  HOLDFAST_GATEWAY_URLS: z
    .string()
    .min(1)
    .transform((value) => value.split(',').map((url) => url.trim()))
    .pipe(z.array(httpUrl).min(1)),
  /** The enrollment portal / hosted page (the web app): the browser is sent there, so the CSP must allow it. */
  HOLDFAST_PORTAL_URL: httpUrl,
  /** The demo application's API key. */
  HOLDFAST_API_KEY: z.string().regex(/^hf_[A-Za-z0-9_-]+$/, 'an API key, hf_…'),
  /** Where the demo keeps its users (scrypt hashes, 0600). */
  HOLDFAST_DEMO_STATE_DIR: z.string().min(1),
  /** Optional ready user (the launcher sets both and prints them): created, or its password reset, at start. */
  HOLDFAST_DEMO_SEED_USER: z.string().optional(),
  HOLDFAST_DEMO_SEED_PASSWORD: z.string().min(8).optional(),
});

export interface DemoEnv extends Omit<z.infer<typeof demoEnvSchema>, 'HOLDFAST_DEMO_PUBLIC_URL'> {
  HOLDFAST_DEMO_PUBLIC_URL: string;
}

export function readDemoEnv(source: Record<string, string | undefined> = process.env): DemoEnv {
  const env = demoEnvSchema.parse(source);
  return { ...env, HOLDFAST_DEMO_PUBLIC_URL: env.HOLDFAST_DEMO_PUBLIC_URL ?? `http://localhost:${env.HOLDFAST_DEMO_PORT}` };
}
