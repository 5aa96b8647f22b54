import { describe, expect, it } from 'vitest';
import { patroniDynamicConfig } from './cluster';
import { databaseUrlsFor, readClusterConfig } from './config';
import { haproxyCfg, patroniYaml } from './configs';

describe('[CLUSTER_CONFIG] the cluster layout', () => {
  it('gives each gateway its own region HAProxy first, then the others', () => {
    const config = readClusterConfig({});
    const urls = databaseUrlsFor(config, 'region-2').split(',');
    expect(urls.map((u) => new URL(u).port)).toEqual(['6442', '6441', '6443']);
  });

  it('moves every port by the offset and refuses Patroni timings that break loop_wait + 2 × retry_timeout ≤ ttl', () => {
    const shifted = readClusterConfig({ HOLDFAST_CLUSTER_PORT_OFFSET: '1000' });
    expect(shifted.regions[0]?.node.pgPort).toBe(6441);
    expect(shifted.regions[2]?.gateways[0]?.port).toBe(5131);
    expect(() => readClusterConfig({ HOLDFAST_PATRONI_TTL: '6', HOLDFAST_PATRONI_LOOP_WAIT: '2', HOLDFAST_PATRONI_RETRY_TIMEOUT: '3' })).toThrow(/ttl/);
  });

  it('runs without per-member replication slots by default (a promoted node has none for its replicas in Patroni 3.0.2) and keeps WAL by size instead', () => {
    const config = readClusterConfig({});
    const region = config.regions[0];
    if (region === undefined) throw new Error('no region');
    const yaml = patroniYaml(config, region, '/tmp/pg1');
    expect(yaml).toContain('use_slots: false');
    expect(yaml).toContain('wal_keep_size: 256MB');
    expect(patroniDynamicConfig(config)).toEqual({
      ttl: 8,
      loop_wait: 1,
      retry_timeout: 3,
      postgresql: { use_slots: false, parameters: { wal_keep_size: '256MB', wal_retrieve_retry_interval: '1000ms' } },
    });
    const withSlots = readClusterConfig({ HOLDFAST_PATRONI_USE_SLOTS: 'true', HOLDFAST_PG_WAL_KEEP_SIZE: '64MB' });
    expect(patroniDynamicConfig(withSlots)).toMatchObject({ postgresql: { use_slots: true, parameters: { wal_keep_size: '64MB' } } });
    expect(() => readClusterConfig({ HOLDFAST_PG_WAL_KEEP_SIZE: 'lots' })).toThrow();
    // A server marked down (a new primary before its first passing check) is checked every 250 ms.
    expect(haproxyCfg(config, region)).toContain('inter 500ms fastinter 250ms downinter 250ms fall 2 rise 1');
  });
});
