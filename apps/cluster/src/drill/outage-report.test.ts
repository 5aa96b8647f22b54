import { describe, expect, it } from 'vitest';
import type { OutageObservations } from './database-down';
import type { DrillRequest } from './load';
import { isOutagePassed, outageTargets, renderOutageMarkdown, summarizeOutage } from './outage-report';

const login = (startMs: number, endMs: number, outcome: DrillRequest['outcome'], reason: string | null = null): DrillRequest => ({
  kind: 'fresh',
  factor: 'totp',
  attemptId: `a-${startMs}`,
  userId: 'u',
  code: '000000',
  startMs,
  endMs,
  outcome,
  reason,
  gatewayId: null,
});
const metrics = (events: number, dropped = 0, replayed = 0, duplicates = 0) => ({ events, dropped, replayed, duplicates });

const observed: OutageObservations = {
  stopStartedAtMs: 10_000,
  allDownAtMs: 11_000,
  restartAtMs: 31_000,
  backAtMs: 40_000,
  gatewaysSurvived: true,
  baseline: [{ gateway: 'gw-1', metrics: metrics(0, 0, 5, 1) }],
  spools: [{ gateway: 'gw-1', files: 1, ids: ['a', 'b'], skipped: 0, metrics: metrics(2) }],
  probes: [
    { gateway: 'gw-1', startMs: 11_500, ms: 12_010, status: 503, code: 'DATABASE_UNAVAILABLE', error: null },
    { gateway: 'gw-1', startMs: 13_500, ms: 40, status: 503, code: 'GATEWAY_OVERLOADED', error: null },
  ],
  drain: { drainedAtMs: 41_500, boundMs: 60_000, byGateway: [{ gateway: 'gw-1', metrics: metrics(0, 0, 7, 1) }] },
};

describe('[DRILL_DATABASE_DOWN] the database-down part of the report', () => {
  it('splits logins around the outage and times the way back', () => {
    const requests = [
      login(9_000, 9_020, 'accepted'),
      login(12_000, 27_000, 'error', 'HoldfastUnavailableError'),
      login(38_000, 40_600, 'accepted'), // began during the outage, answered once the database was back
      login(41_000, 41_030, 'accepted'),
      login(42_000, 42_020, 'accepted'),
    ];
    const outage = summarizeOutage({ outage: observed, requests, comparison: { unique: 2, missing: [], twice: [] } });
    expect(outage).toMatchObject({
      downMs: 20_000,
      restartToBackMs: 9_000,
      logins: {
        duringOutage: { sent: 2, accepted: 1, errors: { HoldfastUnavailableError: 1 } },
        afterBack: { sent: 2, accepted: 2, successRate: 1 },
        firstAcceptedAfterBackMs: 600,
      },
      probes: { sent: 2, typed503: 2, typed: 2, noAnswer: 0, latencyMs: { max: 12_010 } },
      spool: { spooled: 2, arrived: 2, replayed: 2, replayDuplicates: 0, dropped: 0, drainedAfterBackMs: 1_500 },
    });
    expect(isOutagePassed(outage)).toBe(true);
    expect(outageTargets(outage).every((t) => t.isMet)).toBe(true);
    expect(renderOutageMarkdown(outage).join('\n')).toContain('| spooled events in audit_events after recovery | 2/2 (missing 0, twice 0) |');
  });

  it('fails on a spooled event missing, a spool that never empties or a database that never came back; flags a hanging gateway', () => {
    const missing = summarizeOutage({ outage: observed, requests: [], comparison: { unique: 2, missing: ['b'], twice: [] } });
    expect(isOutagePassed(missing)).toBe(false);
    const stuck = summarizeOutage({
      outage: { ...observed, drain: { ...observed.drain, drainedAtMs: null } as OutageObservations['drain'] },
      requests: [],
      comparison: { unique: 2, missing: [], twice: [] },
    });
    expect(stuck.spool.drainedAfterBackMs).toBeNull();
    expect(isOutagePassed(stuck)).toBe(false);
    const hung = summarizeOutage({
      outage: {
        ...observed,
        backAtMs: null,
        probes: [{ gateway: 'gw-1', startMs: 12_000, ms: 25_000, status: null, code: null, error: 'no answer within 25 s' }],
      },
      requests: [],
      comparison: { unique: 2, missing: [], twice: [] },
    });
    expect(isOutagePassed(hung)).toBe(false);
    const probeTarget = outageTargets(hung)[0];
    expect(probeTarget?.isMet).toBe(false);
    expect(probeTarget?.value).toContain('no answer (no answer within 25 s)');
  });
});
