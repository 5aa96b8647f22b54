import { adminActions, adminRoles } from '@holdfast/validators';
import { describe, expect, it } from 'vitest';
import { adminActionNeedsStepUp, canAdmin } from './permissions';
import { adminPasswordNeedsRehash, hashAdminPassword, verifyAdminPassword } from './password';
import { adminSessionExpiresAt, adminSessionLimits, adminSessionState, hasFreshStepUp, type AdminSessionTimes } from './session';

const at = (minutes: number): Date => new Date(Date.UTC(2026, 10, 29, 8, 0) + minutes * 60_000);
const session = (over: Partial<AdminSessionTimes> = {}): AdminSessionTimes => ({
  createdAt: at(0),
  lastSeenAt: at(0),
  mfaAt: at(1),
  stepUpAt: null,
  revokedAt: null,
  ...over,
});

describe('admin roles (issue 13)', () => {
  it('owner may do everything; only the owner changes admins', () => {
    for (const action of adminActions) expect(canAdmin('owner', action)).toBe(true);
    expect(adminRoles.filter((role) => canAdmin(role, 'admins.write'))).toEqual(['owner']);
  });

  it('helpdesk finds users, unlocks and sends links — nothing that mints credentials or weakens factors', () => {
    expect(adminActions.filter((action) => canAdmin('helpdesk', action))).toEqual([
      'overview.read',
      'users.read',
      'users.unlock',
      'users.send_enrollment_link',
    ]);
  });

  it('auditor changes nothing', () => {
    const allowed = adminActions.filter((action) => canAdmin('auditor', action));
    expect(allowed).toEqual(['overview.read', 'audit.read', 'drills.read', 'applications.read']);
    expect(allowed.every((action) => action.endsWith('.read'))).toBe(true);
  });

  it('every action that writes needs a step-up, sending an enrollment link too (it can reset a user with no factor); no read does', () => {
    for (const action of adminActions) expect(adminActionNeedsStepUp(action)).toBe(!action.endsWith('.read'));
    expect(adminActionNeedsStepUp('apikeys.write')).toBe(true);
    expect(adminActionNeedsStepUp('users.issue_bypass')).toBe(true);
    expect(adminActionNeedsStepUp('users.send_enrollment_link')).toBe(true);
  });
});

describe('admin sessions: 12 h absolute, 30 min idle, 5 min step-up', () => {
  it('is pending until the second factor, for at most 10 minutes', () => {
    expect(adminSessionState(session({ mfaAt: null }), at(9))).toBe('mfa_pending');
    expect(adminSessionState(session({ mfaAt: null }), at(10))).toBe('expired');
  });

  it('ends after 30 idle minutes, and after 12 hours however active', () => {
    expect(adminSessionState(session({ lastSeenAt: at(100) }), at(129))).toBe('active');
    expect(adminSessionState(session({ lastSeenAt: at(100) }), at(130))).toBe('expired');
    expect(adminSessionState(session({ lastSeenAt: at(719) }), at(719))).toBe('active');
    expect(adminSessionState(session({ lastSeenAt: at(720) }), at(720))).toBe('expired');
    expect(adminSessionExpiresAt(session({ lastSeenAt: at(700) })).getTime()).toBe(at(0).getTime() + adminSessionLimits.absoluteMs);
    expect(adminSessionExpiresAt(session({ lastSeenAt: at(100) }))).toEqual(at(130));
  });

  it('a revoked session is over at once', () => {
    expect(adminSessionState(session({ revokedAt: at(2) }), at(3))).toBe('revoked');
    expect(hasFreshStepUp(session({ revokedAt: at(2) }), at(3))).toBe(false);
  });

  it('a step-up (or the sign-in factor) counts for 5 minutes', () => {
    expect(hasFreshStepUp(session(), at(5))).toBe(true);
    expect(hasFreshStepUp(session({ lastSeenAt: at(6) }), at(6))).toBe(false);
    expect(hasFreshStepUp(session({ lastSeenAt: at(20), stepUpAt: at(20) }), at(24))).toBe(true);
    expect(hasFreshStepUp(session({ lastSeenAt: at(25), stepUpAt: at(20) }), at(25))).toBe(false);
  });
});

describe('admin passwords: scrypt, memory-hard, constant-time', () => {
  const random = (size: number): Uint8Array => new Uint8Array(size).fill(7);

  it('verifies the right password only, and an unknown account never', async () => {
    const stored = await hashAdminPassword('correct horse battery staple', random);
    expect(stored).toMatch(/^scrypt\$17\$8\$1\$/);
    expect(await verifyAdminPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyAdminPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyAdminPassword('correct horse battery staple', null)).toBe(false);
    expect(await verifyAdminPassword('correct horse battery staple', 'garbage')).toBe(false);
    expect(adminPasswordNeedsRehash(stored)).toBe(false);
    expect(adminPasswordNeedsRehash(stored.replace('scrypt$17$', 'scrypt$14$'))).toBe(true);
  });
});
