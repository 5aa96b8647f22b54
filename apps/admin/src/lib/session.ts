// Reading and writing the admin cookie from server components, actions and route handlers.
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { AdminSignedIn } from './admin-api';
import type { AdminFactorKind } from '@holdfast/validators';
import {
  adminCookieDeletion,
  adminCookieName,
  adminCookieOptions,
  openAdminCookie,
  sealAdminCookie,
  type AdminCookieContent,
  type AdminSession,
  type PendingSignIn,
} from './session-cookie';

export async function readAdminCookie(): Promise<AdminCookieContent | null> {
  return openAdminCookie((await cookies()).get(adminCookieName())?.value);
}

export async function writeAdminCookie(content: AdminCookieContent): Promise<void> {
  (await cookies()).set(adminCookieName(), await sealAdminCookie(content), adminCookieOptions({ expiresAt: new Date(content.expiresAt) }));
}

export async function clearAdminCookie(): Promise<void> {
  (await cookies()).delete(adminCookieDeletion());
}

/** The signed-in session, or a redirect to the sign-in page. */
export async function requireSession(): Promise<AdminSession> {
  const content = await readAdminCookie();
  if (content?.stage !== 'session') redirect('/sign-in');
  return content;
}

export async function readPendingSignIn(): Promise<PendingSignIn | null> {
  const content = await readAdminCookie();
  return content?.stage === 'pending' ? content : null;
}

/** An admin session's absolute life (core adminSessionLimits.absoluteMs; the gateway is the authority). */
const sessionAbsoluteMs = 12 * 60 * 60_000;

/** The pending sign-in becomes a session: a new cookie value (and the `hfp_` token is gone). */
export async function startSession(signedIn: AdminSignedIn, factorKinds: readonly AdminFactorKind[]): Promise<void> {
  await writeAdminCookie({
    stage: 'session',
    token: signedIn.sessionToken,
    // The session's absolute end, not its first idle deadline: the gateway enforces the 30 idle
    // minutes (every call checks), so a cookie that lapsed at sign-in + 30 min would end an active
    // admin's session early.
    expiresAt: new Date(Date.now() + sessionAbsoluteMs).toISOString(),
    admin: signedIn.admin,
    factorKinds: [...new Set(factorKinds)],
  });
}

/**
 * Where a page goes when the gateway says the session is over (ADMIN_SESSION_INVALID): a route
 * handler that drops the cookie (pages cannot) and opens the sign-in page with a message.
 */
export const sessionEndedPath = '/session-ended';
