import { clusterOverview } from '@holdfast/validators';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FailoverMap } from './failover-map';
import { deadLeader, fixtureNow, healthyCluster, singleRegion } from './failover-map.fixtures';
import { formatBytes, formatDuration, formatPercent, formatUpdated } from './format';

/** The page as a person reads it: markup rendered on the server, tags dropped, spaces collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

function render(overview: typeof healthyCluster, now = fixtureNow): { html: string; text: string } {
  const html = renderToStaticMarkup(createElement(FailoverMap, { overview, now }));
  return { html, text: textOf(html) };
}

describe('FailoverMap', () => {
  it('fixtures are valid ClusterOverview snapshots', () => {
    for (const fixture of [healthyCluster, deadLeader, singleRegion]) expect(clusterOverview.parse(fixture)).toEqual(fixture);
  });

  it('a healthy cluster: every region with its roles in words, etcd, HAProxy primary, gateways and their numbers', () => {
    const { html, text } = render(healthyCluster);
    expect(text).toContain('Live failover map');
    expect(text).toContain('3 regions, Patroni cluster');
    expect(text).toContain('observed by gw-r1-1 (region-1)');
    expect(text).toContain('Last updated 2 s ago');
    expect(text).toContain('pg1 Leader, running · timeline 1');
    expect(text).toContain('pg2 Sync standby, streaming · timeline 1 · lag 0 B');
    expect(text).toContain('pg3 Replica, streaming');
    expect(text).toContain('etcd2 Healthy · raft leader');
    expect(text).toContain('haproxy-region-3 Up, writes go to pg1');
    expect(text).toContain('gw-r2-1 Ready');
    expect(text).toContain('Canary 14 ms, 0.8 s ago');
    expect(text).toContain('Rate 13 req/s');
    expect(text).toContain('Success 100 %');
    expect(text).toContain('p99 48 ms');
    expect(text).toContain('No failover recorded');
    expect(text).not.toContain('unreachable');
    expect(html).not.toContain('role="alert"');
    // Icons are decoration: hidden from screen readers, the words carry the meaning.
    expect(html).toContain('<span class="fm-icon" aria-hidden="true">★</span>');
  });

  it('a dead leader: shown down, the new leader and timeline, the unreachable sources in a banner', () => {
    const { html, text } = render(deadLeader);
    expect(html).toContain('role="alert"');
    expect(text).toContain('3 sources unreachable');
    expect(text).toContain('Patroni pg1 (http://127.0.0.1:8008): connection refused');
    expect(text).toContain('Gateway gw-r1-1 (http://127.0.0.1:4111): timeout');
    expect(text).toContain('pg1 Down (unreachable) · timeline unknown');
    expect(text).toContain('pg2 Leader, running · timeline 2');
    expect(text).toContain('pg3 Sync standby, streaming · timeline 2 · lag 2.0 KiB');
    expect(text).toContain('etcd1 Unhealthy or unreachable');
    expect(text).toContain('haproxy-region-1 Up, writes go to pg2');
    expect(text).toContain('gw-r1-1 Down (unreachable)');
    expect(text).toContain('gw-r1-2 Not ready');
    expect(text).toContain('Success 87.4 %');
    expect(text).toContain('Spooled audit events 3');
    expect(text).toContain('2026-11-29 05:49:58 UTC : timeline 2 began with pg2 as leader (no recovery target specified)');
  });

  it('a single-region npm start: one database, one gateway, no Patroni history', () => {
    const { text } = render(singleRegion);
    expect(text).toContain('Single region, one database without failover (npm start)');
    expect(text).toContain('postgres Leader, running');
    expect(text).toContain('gw-local-1 Ready');
    expect(text).toContain('Rate 0.0 req/s');
    expect(text).toContain('Success —');
    expect(text).toContain('Last updated just now');
    expect(text).toContain('No failover history: a single database has no Patroni.');
    expect(text).not.toContain('etcd');
    expect(text).not.toContain('HAProxy');
  });

  it('says so when the snapshot is old (the stream stopped)', () => {
    const { text } = render(healthyCluster, fixtureNow + 20_000);
    expect(text).toContain('This view has not been updated for 22 s');
    expect(text).toContain('Last updated 22 s ago');
  });

  it('formats numbers for people', () => {
    expect(formatBytes(null)).toBe('unknown');
    expect(formatBytes(1_572_864)).toBe('1.5 MiB');
    expect(formatDuration(150_000)).toBe('3 min');
    expect(formatPercent(0.99951)).toBe('100 %');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatUpdated('not a time', 0)).toBe('Last updated: unknown');
  });
});
