// The rules the Next.js apps' env.ts files share (the portal and the admin console): the gateway
// URL list, and what a public URL outside localhost requires. Each app keeps its own variable names
// and its own schema; these are the pieces that must not drift apart between them.
import { z } from 'zod';

/** A developer's machine: the only place an app may run without TLS and without a session secret. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `HOLDFAST_GATEWAY_URLS`: gateway base URLs, comma-separated, preferred first, no trailing slash. */
export const gatewayUrlsSetting = z
  .string()
  .default('http://127.0.0.1:4000')
  .transform((value) =>
    value
      .split(',')
      .map((url) => url.trim().replace(/\/$/, ''))
      .filter((url) => url !== ''),
  )
  .pipe(z.array(z.url()).min(1, 'at least one gateway URL'));

/** A public URL setting: http or https (whether plain http is allowed is publicUrlIssues's question). */
export const publicUrlSetting = z.url({ protocol: /^https?$/ }).optional();

export interface AppEnvIssue {
  path: [string];
  message: string;
}

/**
 * What the public URL setting requires: present under `next start` (a forgotten setting must not
 * quietly turn TLS and the sealed cookie off), and outside localhost https and a session secret.
 */
export function publicUrlIssues(options: {
  publicUrl: string | undefined;
  sessionSecret: string | undefined;
  isProduction: boolean;
  /** The app's variable names, e.g. HOLDFAST_WEB_PUBLIC_URL and HOLDFAST_WEB_SESSION_SECRET. */
  publicUrlName: string;
  sessionSecretName: string;
  /** In the message when the URL is missing: "the portal", "the console". */
  appName: string;
}): AppEnvIssue[] {
  if (options.publicUrl === undefined) {
    return options.isProduction ? [{ path: [options.publicUrlName], message: `required in production: ${options.appName}'s public URL` }] : [];
  }
  const url = new URL(options.publicUrl);
  if (loopbackHosts.has(url.hostname)) return [];
  const issues: AppEnvIssue[] = [];
  if (url.protocol !== 'https:') issues.push({ path: [options.publicUrlName], message: 'must be https outside localhost' });
  if (options.sessionSecret === undefined) issues.push({ path: [options.sessionSecretName], message: 'required outside localhost' });
  return issues;
}

/** The public URL without its trailing slash, and what it says about where the app runs. */
export function describePublicUrl(publicUrl: string): { publicUrl: string; isLocalhost: boolean; isHttps: boolean } {
  const trimmed = publicUrl.replace(/\/$/, '');
  const url = new URL(trimmed);
  return {
    publicUrl: trimmed,
    /** A developer's machine: the only place the app may run without TLS and without a session secret. */
    isLocalhost: loopbackHosts.has(url.hostname),
    /** Cookies are Secure (and `__Host-`) everywhere except plain http on localhost. */
    isHttps: url.protocol === 'https:',
  };
}

/** Names the variables of a failed parse, never their values (a session secret is one). */
export function describeEnvProblems(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `  ${issue.path.map(String).join('.')}: ${issue.message}`).join('\n');
}
