// The enrollment session lives in one httpOnly cookie. With HOLDFAST_WEB_SESSION_SECRET set, its
// value is sealed — a JWE (`dir`, A256GCM: authenticated encryption) made by `jose` — so a copied
// cookie store or log line does not hand out a usable gateway token; without it the value is the
// token itself.
import { EncryptJWT, jwtDecrypt } from 'jose';
import { hkdfSync } from 'node:crypto';
import { webEnv } from '../env';

/**
 * `__Host-` makes the browser refuse the cookie unless it is Secure, host-only and Path=/ — so no
 * sibling subdomain or plain-http page can plant or shadow it. Only a portal on http://localhost
 * (a developer's machine; browsers disagree on Secure cookies there) uses a plain name.
 */
export function sessionCookieNameFor(options: { isHttps: boolean }): string {
  return options.isHttps ? '__Host-holdfast_enroll' : 'holdfast_enroll';
}

/** This deployment's session cookie name (from HOLDFAST_WEB_PUBLIC_URL, never from a request header). */
export function sessionCookieName(): string {
  return sessionCookieNameFor({ isHttps: webEnv().isHttps });
}

// v2: jose's compact JWE. v1 was a hand-made AES-GCM layout; a v1 cookie no longer opens (null), so
// its holder opens the enrollment link again — sessions are short-lived.
const sealedPrefix = 'v2.';
const anySealedPrefix = /^v\d+\./;
const sealing = { alg: 'dir', enc: 'A256GCM' } as const;

/** A 256-bit key for A256GCM, derived (HKDF-SHA256) so the configured secret is never the key itself. */
function keyFrom(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'holdfast-web-session', 'enrollment session cookie v2', 32));
}

/** The cookie value for a gateway session token; with `expiresAt` the sealed value stops opening then. */
export async function sealSessionToken(options: { token: string; secret: string | undefined; expiresAt?: Date }): Promise<string> {
  if (options.secret === undefined) return options.token;
  const jwt = new EncryptJWT({ tok: options.token }).setProtectedHeader(sealing);
  if (options.expiresAt !== undefined) jwt.setExpirationTime(options.expiresAt);
  return `${sealedPrefix}${await jwt.encrypt(keyFrom(options.secret))}`;
}

/**
 * The gateway session token, or null when the cookie is missing, tampered with, sealed under
 * another key, or past the expiry sealed into it.
 */
export async function openSessionCookie(options: { value: string | undefined; secret: string | undefined; now?: Date }): Promise<string | null> {
  const { value, secret } = options;
  if (value === undefined || value === '') return null;
  if (secret === undefined) return anySealedPrefix.test(value) ? null : value;
  if (!value.startsWith(sealedPrefix)) return null;
  try {
    const { payload } = await jwtDecrypt(value.slice(sealedPrefix.length), keyFrom(secret), {
      keyManagementAlgorithms: [sealing.alg],
      contentEncryptionAlgorithms: [sealing.enc],
      currentDate: options.now ?? new Date(),
    });
    return typeof payload.tok === 'string' ? payload.tok : null;
  } catch {
    // Whatever a hostile cookie makes jose throw, the answer is "no session", never a 500.
    return null;
  }
}

/**
 * Cookie attributes. `Secure` follows the configured public URL — always on outside localhost (env.ts
 * refuses an http URL there) — and no longer a request header a proxy may or may not set.
 */
export function sessionCookieOptionsFor(options: { isHttps: boolean; expiresAt: Date }) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: options.isHttps,
    path: '/',
    expires: options.expiresAt,
  };
}

/** This deployment's cookie attributes, for a session that ends at `expiresAt`. */
export function sessionCookieOptions(options: { expiresAt: Date }) {
  return sessionCookieOptionsFor({ isHttps: webEnv().isHttps, expiresAt: options.expiresAt });
}

/**
 * What deletes the cookie: a `__Host-` cookie is only replaced by a Set-Cookie that is itself Secure
 * with Path=/, so a bare `cookies().delete(name)` would be ignored by the browser.
 */
export function sessionCookieDeletion() {
  const { isHttps } = webEnv();
  return { name: sessionCookieNameFor({ isHttps }), path: '/', secure: isHttps, httpOnly: true, sameSite: 'strict' as const };
}
