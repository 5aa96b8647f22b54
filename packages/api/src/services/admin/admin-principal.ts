import type { AdminSessionTimes } from '@holdfast/core';
import type { AdminRole } from '@holdfast/validators';

/** The signed-in admin a request was authenticated as (`Bearer hfa_…`). */
export interface AdminPrincipal {
  sessionId: string;
  adminId: string;
  email: string;
  name: string;
  role: AdminRole;
  /** The admin's user in the system application (whose factors are the admin's second factors). */
  userId: string;
  times: AdminSessionTimes;
}

/** A sign-in in progress (`hfp_…` in the input): password proven, second factor not yet. */
export interface PendingAdminSignIn {
  sessionId: string;
  adminId: string;
  email: string;
  name: string;
  role: AdminRole;
  userId: string;
  createdAt: Date;
  enrollmentLinkId: string | null;
  challengeId: string | null;
}

export interface AdminSessionRow {
  session_id: string;
  admin_id: string;
  email: string;
  name: string;
  role: AdminRole;
  user_id: string;
  created_at: Date;
  last_seen_at: Date;
  mfa_at: Date | null;
  step_up_at: Date | null;
  revoked_at: Date | null;
  disabled_at: Date | null;
  enrollment_link_id: string | null;
  challenge_id: string | null;
}

export const adminSessionColumns = `s.id AS session_id, a.id AS admin_id, a.email, a.name, a.role::text AS role, a.user_id,
  s.created_at, s.last_seen_at, s.mfa_at, s.step_up_at, s.revoked_at, a.disabled_at, s.enrollment_link_id, s.challenge_id`;

export function adminTimesOf(row: AdminSessionRow): AdminSessionTimes {
  return { createdAt: row.created_at, lastSeenAt: row.last_seen_at, mfaAt: row.mfa_at, stepUpAt: row.step_up_at, revokedAt: row.revoked_at };
}

/** What the console shows about the admin. */
export function publicAdmin(admin: { adminId: string; email: string; name: string; role: AdminRole }): {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
} {
  return { id: admin.adminId, email: admin.email, name: admin.name, role: admin.role };
}
