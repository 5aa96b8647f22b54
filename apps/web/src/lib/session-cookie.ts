// The enrollment session lives in one httpOnly cookie. With HOLDFAST_WEB_SESSION_SECRET set, its
// value is sealed (AES-256-GCM, authenticated), so a copied cookie store or log line does not hand
// out a usable gateway token; without it the value is the token itself.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const sessionCookieName = 'holdfast_enroll';

const sealedPrefix = 'v1.';

function keyFrom(secret: string): Buffer {
  return createHash('sha256').update(`holdfast-web-session:${secret}`).digest();
}

export function sealSessionToken(options: { token: string; secret: string | undefined }): string {
  if (options.secret === undefined) return options.token;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(options.secret), iv);
  const body = Buffer.concat([cipher.update(options.token, 'utf8'), cipher.final()]);
  return `${sealedPrefix}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** The gateway session token, or null when the cookie is missing, tampered with or sealed under another key. */
export function openSessionCookie(options: { value: string | undefined; secret: string | undefined }): string | null {
  const { value, secret } = options;
  if (value === undefined || value === '') return null;
  if (secret === undefined) return value.startsWith(sealedPrefix) ? null : value;
  if (!value.startsWith(sealedPrefix)) return null;
  const raw = Buffer.from(value.slice(sealedPrefix.length), 'base64url');
  if (raw.length < 12 + 16 + 1) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** Cookie attributes: Secure whenever the portal is served over https (behind a proxy too). */
export function sessionCookieOptions(options: { isHttps: boolean; expiresAt: Date }) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: options.isHttps,
    path: '/',
    expires: options.expiresAt,
  };
}
