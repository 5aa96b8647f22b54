import { describe, expect, it } from 'vitest';
import { describePairingLife, findNewPushDevice } from './push-pairing';

const factor = (id: string, kind: string, createdAt = '2026-11-29T10:00:00Z', status = 'active') => ({ id, kind, status, createdAt, label: `Phone ${id}` });

describe('push pairing (portal "Add this phone for push")', () => {
  it('finds only a push device that was not there when the panel opened (the newest)', () => {
    const known = new Set(['p1']);
    expect(findNewPushDevice([factor('p1', 'push'), factor('t1', 'totp')], known)).toBeNull();
    expect(findNewPushDevice([factor('p1', 'push'), factor('t2', 'totp', '2026-11-29T10:05:00Z')], known)).toBeNull();
    expect(
      findNewPushDevice([factor('p1', 'push'), factor('p2', 'push', '2026-11-29T10:01:00Z'), factor('p3', 'push', '2026-11-29T10:02:00Z')], known)?.id,
    ).toBe('p3');
    expect(findNewPushDevice([factor('p4', 'push', '2026-11-29T10:03:00Z', 'pending')], known)).toBeNull();
  });

  it('says how long the link lasts, as the gateway set it', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(describePairingLife({ expiresAt: '2026-11-29T10:10:00Z', now })).toBe('10 minutes');
    expect(describePairingLife({ expiresAt: '2026-11-29T10:09:58Z', now })).toBe('10 minutes');
    expect(describePairingLife({ expiresAt: '2026-11-29T10:00:40Z', now })).toBe('1 minute');
  });
});
