import type { AdminAction, AdminRole } from './admin';

/**
 * Which role may do what (issue 13) — the one matrix; the API refuses what it says no to (core
 * re-exports it for adminProcedure), the console hides what it says no to (here, in the words
 * package, because the console may not import core). Duo's Admin Panel roles, narrowed: a helpdesk can get a user back in
 * (unlock, a new enrollment link) but cannot weaken a user's factors or mint credentials; an
 * auditor changes nothing.
 */
const readOnly: readonly AdminAction[] = ['overview.read', 'audit.read', 'drills.read', 'applications.read'];

/** Everything but changing who may do what — the owner's alone. */
const adminAllowed: readonly AdminAction[] = [
  ...readOnly,
  'users.read',
  'users.unlock',
  'users.send_enrollment_link',
  'users.revoke_factor',
  'users.issue_bypass',
  'applications.write',
  'apikeys.write',
  'admins.read',
];

const allowed: Readonly<Record<AdminRole, ReadonlySet<AdminAction>>> = {
  owner: new Set<AdminAction>([...adminAllowed, 'admins.write']),
  admin: new Set<AdminAction>(adminAllowed),
  helpdesk: new Set<AdminAction>(['overview.read', 'users.read', 'users.unlock', 'users.send_enrollment_link']),
  auditor: new Set<AdminAction>(readOnly),
};

export function canAdmin(role: AdminRole, action: AdminAction): boolean {
  return allowed[role].has(action);
}

/**
 * Actions that need a fresh second factor (within `adminSessionLimits.stepUpMs`) on top of a
 * session: the ones that mint credentials, weaken a user's protection or change who may do what.
 * An enrollment link is one: for a user with no bound factor its holder binds the first one (a
 * reset of the user's MFA), and it ends the user's link in progress.
 */
const stepUpActions: ReadonlySet<AdminAction> = new Set<AdminAction>([
  'apikeys.write',
  'users.unlock',
  'users.send_enrollment_link',
  'users.revoke_factor',
  'users.issue_bypass',
  'applications.write',
  'admins.write',
]);

export function adminActionNeedsStepUp(action: AdminAction): boolean {
  return stepUpActions.has(action);
}
