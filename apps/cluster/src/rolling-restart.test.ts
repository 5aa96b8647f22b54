import { describe, expect, it } from 'vitest';
import type { ClusterMember } from './cluster';
import { isBackStreaming, planRollingRestart, type ReplicationEntry } from './rolling-restart';

const member = (name: string, role: string, timeline: number | null = 7, state = 'running'): ClusterMember => ({ name, role, state, lag: 0, timeline });
const streaming = (name: string, syncState = 'async'): ReplicationEntry => ({ application_name: name, state: 'streaming', sync_state: syncState });

describe('[ROLLING_RESTART] the order of a rolling restart', () => {
  it('restarts the async replica, then the sync standby, then switches over and restarts the old leader, then every gateway one by one', () => {
    const plan = planRollingRestart([member('pg1', 'sync_standby'), member('pg2', 'leader'), member('pg3', 'replica')], ['gw-a', 'gw-b']);
    expect(plan).toEqual([
      { action: 'restart-member', name: 'pg3', role: 'replica' },
      { action: 'restart-member', name: 'pg1', role: 'sync_standby' },
      { action: 'switchover', from: 'pg2' },
      { action: 'restart-member', name: 'pg2', role: 'old leader' },
      { action: 'restart-gateway', name: 'gw-a' },
      { action: 'restart-gateway', name: 'gw-b' },
    ]);
  });

  it('never restarts the leader before the switchover, and restarts each member exactly once', () => {
    const plan = planRollingRestart([member('pg1', 'leader'), member('pg2', 'replica'), member('pg3', 'sync_standby')], []);
    const switchoverAt = plan.findIndex((s) => s.action === 'switchover');
    const leaderAt = plan.findIndex((s) => s.action === 'restart-member' && s.name === 'pg1');
    expect(switchoverAt).toBeGreaterThan(0);
    expect(leaderAt).toBe(switchoverAt + 1);
    expect(plan.flatMap((s) => (s.action === 'restart-member' ? [s.name] : []))).toEqual(['pg2', 'pg3', 'pg1']);
  });

  it('refuses a cluster without a leader or without a synchronous standby (it would take away the last redundant node)', () => {
    expect(() => planRollingRestart([member('pg1', 'replica'), member('pg2', 'sync_standby')], [])).toThrow(/leader/);
    expect(() => planRollingRestart([member('pg1', 'leader'), member('pg2', 'replica')], [])).toThrow(/synchronous standby/);
  });
});

describe('[ROLLING_RESTART] a restarted member is back', () => {
  const members = [member('pg1', 'leader'), member('pg2', 'replica'), member('pg3', 'sync_standby')];

  it('when it runs on the leader timeline, the leader streams to it and a synchronous standby exists', () => {
    expect(isBackStreaming(members, [streaming('pg2'), streaming('pg3', 'sync')], 'pg2')).toBe(true);
  });

  it('not while the leader has no walsender streaming to it (still catching up, or not connected)', () => {
    expect(isBackStreaming(members, [streaming('pg3', 'sync')], 'pg2')).toBe(false);
    expect(isBackStreaming(members, [{ application_name: 'pg2', state: 'catchup', sync_state: 'async' }, streaming('pg3', 'sync')], 'pg2')).toBe(false);
  });

  it('not on an old timeline (an old leader before its rewind), not while starting, not as the leader', () => {
    expect(isBackStreaming([member('pg1', 'leader', 8), member('pg2', 'replica', 7)], [streaming('pg2')], 'pg2')).toBe(false);
    expect(isBackStreaming([member('pg1', 'leader'), member('pg2', 'replica', 7, 'starting')], [streaming('pg2')], 'pg2')).toBe(false);
    expect(isBackStreaming(members, [streaming('pg1')], 'pg1')).toBe(false);
  });

  it('not while the cluster has no synchronous standby (strict synchronous mode would block every commit)', () => {
    expect(isBackStreaming([member('pg1', 'leader'), member('pg2', 'replica'), member('pg3', 'replica')], [streaming('pg2'), streaming('pg3')], 'pg2')).toBe(
      false,
    );
  });
});
