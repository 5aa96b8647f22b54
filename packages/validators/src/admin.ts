import { z } from 'zod';

// The admin console's words (issue 13): roles, the actions a role may take, and the shapes the
// console and the gateways' `admin.*` router exchange. Core decides (packages/core/src/admin);
// these only shape the wire.

/**
 * owner: everything, including other admins' roles. admin: applications, keys, users, policies.
 * helpdesk: find users, unlock, send an enrollment link. auditor: read-only — overview, audit, drills.
 */
export const adminRoles = ['owner', 'admin', 'helpdesk', 'auditor'] as const;
export const adminRole = z.enum(adminRoles);
export type AdminRole = z.infer<typeof adminRole>;

/** Everything an admin can do, one word each; core `canAdmin(role, action)` is the one matrix. */
export const adminActions = [
  'overview.read',
  'audit.read',
  'drills.read',
  'users.read',
  'users.unlock',
  'users.send_enrollment_link',
  'users.revoke_factor',
  'users.issue_bypass',
  'applications.read',
  'applications.write',
  'apikeys.write',
  'admins.read',
  'admins.write',
] as const;
export const adminAction = z.enum(adminActions);
export type AdminAction = z.infer<typeof adminAction>;

/** Lower-cased, trimmed; the sign-in name of an admin account. */
export const adminEmail = z.string().trim().toLowerCase().max(254).pipe(z.email());

/**
 * NIST SP 800-63B §5.1.1: at least 12 characters here (an admin account), at most 128 (a bound
 * on the KDF's input, not a policy), any characters; no composition rules.
 */
export const adminPassword = z.string().min(12).max(128);

/** Second factors an admin can sign in with (a subset of the factor kinds; enrolled at first sign-in). */
export const adminFactorKinds = ['totp', 'webauthn'] as const;
export const adminFactorKind = z.enum(adminFactorKinds);
export type AdminFactorKind = z.infer<typeof adminFactorKind>;
