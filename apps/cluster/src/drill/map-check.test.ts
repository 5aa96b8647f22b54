import { defaultTotpParams } from '@holdfast/core';
import { describe, expect, it } from 'vitest';
import {
  analyzeLiveMap,
  liveMapTargets,
  mapChanges,
  postgresNodesOf,
  promotionAfterKill,
  renderLiveMapMarkdown,
  splitSseFrames,
  totpParamsFromUri,
  type MapNode,
  type MapObservation,
} from './map-check';

const node = (name: string, role: string, state: string, timeline: number | null = 1): MapNode => ({ name, role, state, timeline });
const healthy = [node('pg1', 'leader', 'running'), node('pg2', 'sync_standby', 'streaming'), node('pg3', 'replica', 'streaming')];
const pg1Down = [node('pg1', 'unknown', 'unreachable', null), node('pg2', 'sync_standby', 'running'), node('pg3', 'replica', 'streaming')];
const pg2Leads = [node('pg1', 'unknown', 'unreachable', null), node('pg2', 'leader', 'running', 2), node('pg3', 'sync_standby', 'streaming', 2)];
const at = (atMs: number, postgres: MapNode[], gateway = 'gw-r2-1'): MapObservation => ({ atMs, gateway, postgres });

// The drill started at this wall-clock time; pg1 was killed 10 s in and Patroni promoted pg2 9.5 s later.
const startEpochMs = Date.parse('2026-11-29T05:43:00.000Z');
const killAtMs = 10_000;
const history = [[1, 72525832, 'no recovery target specified', '2026-11-29T05:43:19.500000+00:00', 'pg2']];

describe('[DRILL_LIVE_MAP] the live failover map during a primary kill', () => {
  it('reads the TOTP parameters an authenticator app would, defaulting to core’s', () => {
    expect(totpParamsFromUri('otpauth://totp/Holdfast:a%40b?secret=ABC&issuer=Holdfast&algorithm=SHA256&digits=8&period=60')).toEqual({
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
    });
    expect(totpParamsFromUri('otpauth://totp/Holdfast:a?secret=ABC')).toEqual(defaultTotpParams);
    expect(totpParamsFromUri('not a uri')).toEqual(defaultTotpParams);
    expect(totpParamsFromUri('otpauth://totp/x?algorithm=MD5&digits=7&period=-1')).toEqual(defaultTotpParams);
  });

  it('splits SSE frames, keeps the unfinished rest and reads the Postgres nodes of an overview', () => {
    const overview = JSON.stringify({
      generatedAt: 'x',
      regions: [
        { name: 'region-1', postgres: [healthy[0]] },
        { name: 'region-2', postgres: [healthy[1]] },
      ],
    });
    const { frames, rest } = splitSseFrames(
      `retry: 2000\n\n: holdfast live failover map\n\nevent: overview\ndata: ${overview}\n\nevent: overview\ndata: {"regi`,
    );
    expect(frames).toEqual([
      { event: null, data: null },
      { event: null, data: null },
      { event: 'overview', data: overview },
    ]);
    expect(rest).toBe('event: overview\ndata: {"regi');
    expect(postgresNodesOf(overview)).toEqual([healthy[0], healthy[1]]);
    expect(postgresNodesOf('{"regions":"no"}')).toBeNull();
    expect(postgresNodesOf('{')).toBeNull();
    expect(splitSseFrames('event: overview\r\ndata: 1\r\n\r\n').frames).toEqual([{ event: 'overview', data: '1' }]);
  });

  it('finds the promotion after the kill in Patroni’s /history, not an older one nor the killed node’s', () => {
    const promotion = promotionAfterKill(history, { killedNode: 'pg1', killEpochMs: startEpochMs + killAtMs, startEpochMs });
    expect(promotion).toEqual({ leader: 'pg2', timeline: 2, at: '2026-11-29T05:43:19.500Z', atMs: 19_500 });
    const older = [[1, 1, 'r', '2026-11-29T05:00:00+00:00', 'pg2'], ...history];
    expect(promotionAfterKill(older, { killedNode: 'pg1', killEpochMs: startEpochMs + killAtMs, startEpochMs })?.timeline).toBe(2);
    expect(promotionAfterKill(history, { killedNode: 'pg2', killEpochMs: startEpochMs + killAtMs, startEpochMs })).toBeNull();
    expect(promotionAfterKill([[1, 1, 'r']], { killedNode: 'pg1', killEpochMs: 0, startEpochMs })).toBeNull();
    expect(promotionAfterKill({ not: 'history' }, { killedNode: 'pg1', killEpochMs: 0, startEpochMs })).toBeNull();
  });

  it('measures the map against the kill and the promotion, and meets both targets within 3 s', () => {
    const promotion = promotionAfterKill(history, { killedNode: 'pg1', killEpochMs: startEpochMs + killAtMs, startEpochMs });
    const observations = [at(1_000, healthy), at(6_000, healthy), at(10_900, pg1Down), at(11_900, pg1Down), at(20_300, pg2Leads), at(25_300, pg2Leads)];
    const section = analyzeLiveMap({ observations, switches: [], gateways: ['gw-r2-1', 'gw-r3-1'], killedNode: 'pg1', killAtMs, promotion });
    expect(section).toMatchObject({
      leaderBeforeKill: 'pg1',
      failoverMs: 9_500,
      oldLeaderDown: { atMs: 10_900, afterKillMs: 900, role: 'unknown', state: 'unreachable' },
      newLeaderShown: { atMs: 20_300, name: 'pg2', afterKillMs: 10_300, afterPromotionMs: 800 },
      events: 6,
      maxGapMs: 8_400,
    });
    expect(section.changes.map((c) => c.atMs)).toEqual([1_000, 10_900, 20_300]);
    expect(liveMapTargets(section).map((t) => [t.isMet, t.value])).toEqual([
      [true, 'kill + 0.90 s'],
      [true, 'pg2 at promotion + 0.80 s (Patroni failover 9.50 s)'],
    ]);
    const markdown = renderLiveMapMarkdown(section).join('\n');
    expect(markdown).toContain('## Live map');
    expect(markdown).toContain('| map: pg1 down (unknown/unreachable) | 10.90 s | kill + 0.90 s | — |');
    expect(markdown).toContain('| map: pg2 leader | 20.30 s | promotion + 0.80 s | — |');
    // The snapshot's age tells the collector's time from the delivery's.
    const aged = analyzeLiveMap({
      observations: [at(9_000, healthy), { ...at(21_900, pg2Leads), ageMs: 1_960 }],
      switches: [],
      gateways: ['g'],
      killedNode: 'pg1',
      killAtMs,
      promotion,
    });
    expect(aged.newLeaderShown).toMatchObject({ afterPromotionMs: 2_400, generatedAtMs: 19_940 });
    expect(renderLiveMapMarkdown(aged).join('\n')).toContain('| map: pg2 leader | 21.90 s | promotion + 2.40 s | 19.94 s (promotion + 0.44 s) |');
  });

  it('counts a leader shown before the promotion’s file time as on time (negative delay), and a late or missing map as missed', () => {
    const promotion = { leader: 'pg2', timeline: 2, at: 'x', atMs: 19_500 };
    // The DCS names the lock holder a moment before the history file is written.
    const early = analyzeLiveMap({
      observations: [at(9_000, healthy), at(19_200, pg2Leads)],
      switches: [],
      gateways: ['g'],
      killedNode: 'pg1',
      killAtMs,
      promotion,
    });
    expect(early.newLeaderShown?.afterPromotionMs).toBe(-300);
    expect(early.oldLeaderDown?.afterKillMs).toBe(9_200);
    expect(liveMapTargets(early).map((t) => t.isMet)).toEqual([false, true]);
    expect(liveMapTargets(early)[1]?.value).toContain('promotion − 0.30 s');
    // A stale map still showing pg1 as leader after the kill, then nothing.
    const stale = analyzeLiveMap({
      observations: [at(9_000, healthy), at(14_000, healthy)],
      switches: [],
      gateways: ['g'],
      killedNode: 'pg1',
      killAtMs,
      promotion,
    });
    expect(stale.oldLeaderDown).toBeNull();
    expect(liveMapTargets(stale).map((t) => [t.isMet, t.value])).toEqual([
      [false, 'never shown'],
      [false, 'never shown'],
    ]);
    // Another node than the promoted one shown as leader does not count.
    const wrong = analyzeLiveMap({
      observations: [at(20_000, [node('pg1', 'unknown', 'unreachable'), node('pg3', 'leader', 'running')])],
      switches: [],
      gateways: ['g'],
      killedNode: 'pg1',
      killAtMs,
      promotion,
    });
    expect(wrong.newLeaderShown).toBeNull();
    const failed = analyzeLiveMap({
      observations: [],
      switches: [],
      gateways: [],
      killedNode: 'pg1',
      killAtMs,
      promotion: null,
      error: 'setting up the drill admin failed: x',
    });
    expect(liveMapTargets(failed).map((t) => [t.isMet, t.value])).toEqual([
      [false, 'setting up the drill admin failed: x'],
      [false, 'setting up the drill admin failed: x'],
    ]);
    expect(renderLiveMapMarkdown(failed).join('\n')).toContain('**Could not watch the map:** setting up the drill admin failed: x');
  });

  it('lists the map’s changes and stream switches', () => {
    expect(mapChanges([at(1, healthy), at(2, healthy), at(3, pg1Down, 'gw-r3-1'), at(4, pg1Down)]).map((c) => c.atMs)).toEqual([1, 3]);
    const section = analyzeLiveMap({
      observations: [at(9_000, healthy), at(12_000, pg1Down, 'gw-r3-1')],
      switches: [{ atMs: 11_000, from: 'gw-r2-1', to: 'gw-r3-1', reason: 'stream ended' }],
      gateways: ['gw-r2-1', 'gw-r3-1'],
      killedNode: 'pg1',
      killAtMs,
      promotion: null,
    });
    const markdown = renderLiveMapMarkdown(section).join('\n');
    expect(markdown).toContain('- 11.00 s: gw-r2-1 → gw-r3-1 (stream ended)');
    expect(markdown).toContain('- 12.00 s (gw-r3-1): pg1 unknown/unreachable · pg2 sync_standby/running tl1 · pg3 replica/streaming tl1');
    expect(markdown).toContain('| Patroni promotion | not found in /history | — | — |');
  });
});
