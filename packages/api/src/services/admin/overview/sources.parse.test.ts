import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEtcdHealth, parseEtcdIsLeader } from './etcd';
import { parseHaproxyPrimary } from './haproxy';
import { parsePatroniCluster, parsePatroniHistory, parsePatroniNode } from './patroni';
import { parseGatewayReadyz } from './readyz';

// Bodies captured with curl from the real `npm run cluster` (Patroni 3.0.2, etcd 3.4.23,
// HAProxy 2.6.12, this repository's gateways): see fixtures/README.md.
const text = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const json = (name: string): unknown => JSON.parse(text(name));

describe('Patroni', () => {
  it('a node about itself: state, role (Patroni 3.0 says "master"), timeline', () => {
    expect(parsePatroniNode(json('patroni-node-leader.json'))).toEqual({ state: 'running', role: 'leader', timeline: 2 });
    expect(parsePatroniNode({ state: 'stopped', role: 'replica' })).toEqual({ state: 'stopped', role: 'replica', timeline: null });
    expect(parsePatroniNode(json('patroni-node-replica.json'))).toEqual({ state: 'running', role: 'replica', timeline: 2 });
    expect(parsePatroniNode({ nothing: true })).toBeNull();
    expect(parsePatroniNode('<html>')).toBeNull();
  });

  it('the cluster view: roles with the synchronous standby, lag in bytes (0 for the leader)', () => {
    expect(parsePatroniCluster(json('patroni-cluster-healthy.json'))).toEqual([
      { name: 'pg1', role: 'leader', state: 'running', timeline: 1, lagBytes: 0 },
      { name: 'pg2', role: 'sync_standby', state: 'running', timeline: 1, lagBytes: 0 },
      { name: 'pg3', role: 'replica', state: 'running', timeline: 1, lagBytes: 0 },
    ]);
    // After pg1 was killed and its leader key expired, the DCS no longer lists it.
    expect(parsePatroniCluster(json('patroni-cluster-after-failover.json'))).toEqual([
      { name: 'pg2', role: 'leader', state: 'running', timeline: 2, lagBytes: 0 },
      { name: 'pg3', role: 'sync_standby', state: 'running', timeline: 2, lagBytes: 0 },
    ]);
    expect(parsePatroniCluster({ members: [{ name: 'pg9', role: 'replica', state: 'streaming', lag: 'unknown' }] })).toEqual([
      { name: 'pg9', role: 'replica', state: 'streaming', timeline: null, lagBytes: null },
    ]);
    expect(parsePatroniCluster([])).toBeNull();
  });

  it('history: each row starts the next timeline under its new leader, newest first', () => {
    expect(parsePatroniHistory(json('patroni-history-after-failover.json'))).toEqual([
      { timeline: 2, leader: 'pg2', at: '2026-11-29T05:43:16.802Z', reason: 'no recovery target specified' },
    ]);
    expect(parsePatroniHistory(json('patroni-history-two-failovers.json'))?.map((e) => [e.timeline, e.leader, e.at])).toEqual([
      [3, 'pg3', '2026-11-29T05:44:36.894Z'],
      [2, 'pg2', '2026-11-29T05:43:16.802Z'],
    ]);
    expect(
      parsePatroniHistory([
        [1, 100, 'no recovery target specified', '2026-11-29T05:00:00+00:00', 'pg1'],
        [2, 200, 'switchover', '2026-11-29T06:00:00+00:00', 'pg3'],
      ]),
    ).toEqual([
      { timeline: 3, leader: 'pg3', at: '2026-11-29T06:00:00.000Z', reason: 'switchover' },
      { timeline: 2, leader: 'pg1', at: '2026-11-29T05:00:00.000Z', reason: 'no recovery target specified' },
    ]);
    // Older Patroni rows have no timestamp or leader.
    expect(parsePatroniHistory([[1, 100, 'no recovery target specified']])).toEqual([
      { timeline: 2, leader: null, at: null, reason: 'no recovery target specified' },
    ]);
    expect(parsePatroniHistory([])).toEqual([]);
    expect(parsePatroniHistory({})).toBeNull();
  });
});

describe('etcd', () => {
  it('health and whether this member leads', () => {
    expect(parseEtcdHealth(json('etcd-health.json'))).toBe(true);
    expect(parseEtcdHealth({ health: 'false', reason: 'RAFT NO LEADER' })).toBe(false);
    expect(parseEtcdHealth('nope')).toBeNull();
    expect(parseEtcdIsLeader(json('etcd-status-leader.json'))).toBe(true);
    expect(parseEtcdIsLeader(json('etcd-status-follower.json'))).toBe(false);
  });
});

describe('HAProxy', () => {
  it('the server UP behind the write listener is where writes go', () => {
    expect(parseHaproxyPrimary(text('haproxy-stats-after-failover.csv'), 'primary_region-1')).toEqual({ found: true, primary: 'pg2' });
    expect(parseHaproxyPrimary(text('haproxy-stats-after-failover.csv'), 'primary_region-9')).toEqual({ found: false, primary: null });
    const noneUp = text('haproxy-stats-after-failover.csv').replace(/,UP,/g, ',DOWN,');
    expect(parseHaproxyPrimary(noneUp, 'primary_region-1')).toEqual({ found: true, primary: null });
    expect(parseHaproxyPrimary('', 'primary_region-1')).toEqual({ found: false, primary: null });
  });
});

describe('gateway /readyz', () => {
  it('readiness, canary, spool and the history alarm', () => {
    expect(parseGatewayReadyz(json('gateway-readyz.json'))).toMatchObject({ ready: true, databaseOk: true, auditSpoolEvents: 0, historyRewritten: false });
    expect(parseGatewayReadyz(json('gateway-readyz.json'))?.canaryLatencyMs).toEqual(expect.any(Number));
    expect(parseGatewayReadyz({ ready: false, canary: null, audit: { alarm: 'history_rewritten' } })).toEqual({
      ready: false,
      databaseOk: null,
      canaryLatencyMs: null,
      canaryAgeMs: null,
      auditSpoolEvents: null,
      historyRewritten: true,
    });
    // Answered with 503 during the failover: not ready (its last canary is 10 s old), but reachable.
    expect(parseGatewayReadyz(json('gateway-readyz-during-failover.json'))).toMatchObject({ ready: false, databaseOk: true, canaryAgeMs: 10323 });
    expect(parseGatewayReadyz({ error: 'x' })).toBeNull();
  });
});
