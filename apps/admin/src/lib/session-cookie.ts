// The admin console keeps one httpOnly cookie: either a sign-in in progress (the gateway's `hfp_`
// pending token, 10 minutes) or a signed-in admin session (`hfa_`, 12 h absolute, 30 min idle —
// the gateway decides both). Its value is always sealed — a JWE (`dir`, A256GCM: authenticated
// encryption, jose) — so a copied cookie store or log line hands out no usable admin token, and the
// browser can neither read nor forge what the console shows about the admin (name, role).
import { adminFactorKind, adminRole } from '@holdfast/validators';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { adminEnv } from '../env';

const signedInAdmin = z.object({ id: z.string(), email: z.string(), name: z.string(), role: adminRole });

const cookieContent = z.discriminatedUnion('stage', [
  z.object({
    stage: z.literal('pending'),
    token: z.string().min(1),
    expiresAt: z.string(),
    enrolledFactors: z.array(adminFactorKind),
    mustEnroll: z.boolean(),
  }),
  z.object({
    stage: z.literal('session'),
    token: z.string().min(1),
    expiresAt: z.string(),
    admin: signedInAdmin,
    /** The second factors this admin can step up with (from sign-in or enrollment). */
    factorKinds: z.array(adminFactorKind),
  }),
]);

export type AdminCookieContent = z.infer<typeof cookieContent>;
export type PendingSignIn = Extract<AdminCookieContent, { stage: 'pending' }>;
export type AdminSession = Extract<AdminCookieContent, { stage: 'session' }>;

/**
 * `__Host-` makes the browser refuse the cookie unless it is Secure, host-only and Path=/ — so no
 * sibling subdomain or plain-http page can plant or shadow it. Only http://localhost uses a plain name.
 * The name differs from the portal's (`holdfast_enroll`): the two apps never share a session.
 */
export function adminCookieNameFor(options: { isHttps: boolean }): string {
  return options.isHttps ? '__Host-holdfast_admin' : 'holdfast_admin';
}

export function adminCookieName(): string {
  return adminCookieNameFor({ isHttps: adminEnv().isHttps });
}

const sealedPrefix = 'a1.';
const sealing = { alg: 'dir', enc: 'A256GCM' } as const;

/** A 256-bit key for A256GCM, derived (HKDF-SHA256) so the configured secret is never the key itself. */
export function adminCookieKeyFrom(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'holdfast-admin-session', 'admin console cookie v1', 32));
}

let processKey: Uint8Array | null = null;

/**
 * The configured key, or — on localhost without HOLDFAST_ADMIN_SESSION_SECRET (env.ts refuses that
 * elsewhere) — one made at random for this process: still sealed, sessions end on restart.
 */
function cookieKey(): Uint8Array {
  const secret = adminEnv().HOLDFAST_ADMIN_SESSION_SECRET;
  if (secret !== undefined) return adminCookieKeyFrom(secret);
  processKey ??= new Uint8Array(randomBytes(32));
  return processKey;
}

/** The sealed cookie value; it stops opening at `content.expiresAt`. */
export async function sealAdminCookie(content: AdminCookieContent, key: Uint8Array = cookieKey()): Promise<string> {
  const jwt = new EncryptJWT({ c: content }).setProtectedHeader(sealing).setExpirationTime(new Date(content.expiresAt));
  return `${sealedPrefix}${await jwt.encrypt(key)}`;
}

/** What the cookie holds, or null when it is missing, tampered with, sealed under another key, or expired. */
export async function openAdminCookie(value: string | undefined, options: { key?: Uint8Array; now?: Date } = {}): Promise<AdminCookieContent | null> {
  if (value === undefined || !value.startsWith(sealedPrefix)) return null;
  try {
    const { payload } = await jwtDecrypt(value.slice(sealedPrefix.length), options.key ?? cookieKey(), {
      keyManagementAlgorithms: [sealing.alg],
      contentEncryptionAlgorithms: [sealing.enc],
      currentDate: options.now ?? new Date(),
    });
    const parsed = cookieContent.safeParse(payload.c);
    return parsed.success ? parsed.data : null;
  } catch {
    // Whatever a hostile cookie makes jose throw, the answer is "not signed in", never a 500.
    return null;
  }
}

/**
 * Cookie attributes. SameSite=Strict: a link from another site arrives without the admin session,
 * so no cross-site request acts as the admin. `Secure` follows the configured public URL.
 */
export function adminCookieOptionsFor(options: { isHttps: boolean; expiresAt: Date }) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: options.isHttps, path: '/', expires: options.expiresAt };
}

export function adminCookieOptions(options: { expiresAt: Date }) {
  return adminCookieOptionsFor({ isHttps: adminEnv().isHttps, expiresAt: options.expiresAt });
}

/** A `__Host-` cookie is only replaced by a Set-Cookie that is itself Secure with Path=/. */
export function adminCookieDeletion() {
  const { isHttps } = adminEnv();
  return { name: adminCookieNameFor({ isHttps }), path: '/', secure: isHttps, httpOnly: true, sameSite: 'strict' as const };
}
