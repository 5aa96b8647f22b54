import { describe, expect, it } from 'vitest';
import { adminIdentity } from './admin-audit';

describe('admin.action / bypass.issued: who acted, by scope', () => {
  const admin = { adminId: 'a1', email: 'ops@example.com', role: 'owner' as const, sessionId: 's1' };

  it('a row scoped to an application (it reaches that application) names the admin by id only', () => {
    expect(adminIdentity(admin, '0b8c6f0e-6c0b-4d5c-9c55-1f7e0a2b3c4d')).toEqual({ adminId: 'a1' });
  });

  it('a row with no application (the operators’ own) keeps email, role and session', () => {
    expect(adminIdentity(admin, null)).toEqual({ adminId: 'a1', adminEmail: 'ops@example.com', adminRole: 'owner', sessionId: 's1' });
  });
});
