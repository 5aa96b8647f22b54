import { generateToken, hashToken } from '@holdfast/db';

/** A signed-in admin session (second factor verified). */
export const adminSessionPrefix = 'hfa_';
/** A sign-in in progress: the password is proven, the second factor (or its first enrollment) is not yet. */
export const adminPendingPrefix = 'hfp_';

export type AdminTokenKind = 'session' | 'pending';

/** A new 256-bit token with its prefix, and the SHA-256 the database keeps (the token itself never is). */
export function issueAdminToken(kind: AdminTokenKind): { token: string; tokenHash: Uint8Array<ArrayBuffer> } {
  const secret = generateToken();
  return { token: `${kind === 'session' ? adminSessionPrefix : adminPendingPrefix}${secret}`, tokenHash: hashToken(secret) };
}

/**
 * The hash to look a bearer up by, or null when the bearer is not that kind of admin token: an API
 * key (`hf_`), an enrollment session (`hfs_`) or the other admin kind never reaches the lookup.
 */
export function adminTokenHash(bearer: string | null, kind: AdminTokenKind): Uint8Array<ArrayBuffer> | null {
  const prefix = kind === 'session' ? adminSessionPrefix : adminPendingPrefix;
  if (bearer?.startsWith(prefix) !== true) return null;
  const secret = bearer.slice(prefix.length);
  // generateToken's shape: 32 bytes in base64url. Anything else cannot be ours.
  if (!/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  return hashToken(secret);
}
