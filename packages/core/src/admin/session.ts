/**
 * Admin session rules (issue 13), pure: 12 hours absolute, 30 minutes idle, a step-up counts for
 * 5 minutes. OWASP ASVS V3.3 / NIST SP 800-63B §7.2 (AAL2 reauthentication at least every 12 h
 * and after 30 min of inactivity). The gateway stores the times; this decides what they mean.
 */
export const adminSessionLimits = {
  absoluteMs: 12 * 60 * 60_000,
  idleMs: 30 * 60_000,
  stepUpMs: 5 * 60_000,
  /** A password-verified session waiting for its second factor (or first enrollment). */
  pendingMs: 10 * 60_000,
} as const;

export interface AdminSessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
  /** When the second factor was verified; null = the password alone so far. */
  mfaAt: Date | null;
  stepUpAt: Date | null;
  revokedAt: Date | null;
}

export type AdminSessionState = 'active' | 'mfa_pending' | 'expired' | 'revoked';

export function adminSessionState(session: AdminSessionTimes, now: Date): AdminSessionState {
  if (session.revokedAt !== null) return 'revoked';
  const age = now.getTime() - session.createdAt.getTime();
  if (session.mfaAt === null) return age < adminSessionLimits.pendingMs ? 'mfa_pending' : 'expired';
  if (age >= adminSessionLimits.absoluteMs) return 'expired';
  if (now.getTime() - session.lastSeenAt.getTime() >= adminSessionLimits.idleMs) return 'expired';
  return 'active';
}

/** The session may take a step-up action now (a second factor verified within 5 minutes). */
export function hasFreshStepUp(session: AdminSessionTimes, now: Date): boolean {
  const last = session.stepUpAt ?? session.mfaAt;
  return adminSessionState(session, now) === 'active' && last !== null && now.getTime() - last.getTime() < adminSessionLimits.stepUpMs;
}

/** When the session ends if nothing happens (the earlier of idle and absolute). */
export function adminSessionExpiresAt(session: AdminSessionTimes): Date {
  const absolute = session.createdAt.getTime() + (session.mfaAt === null ? adminSessionLimits.pendingMs : adminSessionLimits.absoluteMs);
  const idle = session.lastSeenAt.getTime() + adminSessionLimits.idleMs;
  return new Date(session.mfaAt === null ? absolute : Math.min(absolute, idle));
}
