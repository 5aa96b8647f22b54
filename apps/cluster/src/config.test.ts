import { describe, expect, it } from 'vitest';
import { databaseUrlsFor, gatewayEndpoints, readClusterConfig } from './config';
import { haproxyCfg, partitionParameters, patroniDynamicConfig, patroniYaml } from './configs';

/** A cluster directory that does not exist: no recorded network mode from a cluster on this machine leaks in. */
const fresh = { HOLDFAST_CLUSTER_DIR: '/nonexistent/holdfast-config-test' };

describe('[CLUSTER_CONFIG] the cluster layout', () => {
  it('gives each gateway its own region HAProxy first, then the others', () => {
    const config = readClusterConfig(fresh);
    const urls = databaseUrlsFor(config, 'region-2').split(',');
    expect(urls.map((u) => new URL(u).port)).toEqual(['6442', '6441', '6443']);
  });

  it('moves every port by the offset and refuses Patroni timings that break loop_wait + 2 × retry_timeout ≤ ttl', () => {
    const shifted = readClusterConfig({ ...fresh, HOLDFAST_CLUSTER_PORT_OFFSET: '1000' });
    expect(shifted.regions[0]?.node.pgPort).toBe(6441);
    expect(shifted.regions[2]?.gateways[0]?.port).toBe(5131);
    expect(() => readClusterConfig({ ...fresh, HOLDFAST_PATRONI_TTL: '6', HOLDFAST_PATRONI_LOOP_WAIT: '2', HOLDFAST_PATRONI_RETRY_TIMEOUT: '3' })).toThrow(
      /ttl/,
    );
  });

  it('runs without per-member replication slots by default (a promoted node has none for its replicas in Patroni 3.0.2) and keeps WAL by size instead', () => {
    const config = readClusterConfig(fresh);
    const region = config.regions[0];
    if (region === undefined) throw new Error('no region');
    const yaml = patroniYaml(config, region, '/tmp/pg1');
    expect(yaml).toContain('use_slots: false');
    expect(yaml).toContain('wal_keep_size: 4GB');
    expect(patroniDynamicConfig(config)).toEqual({
      ttl: 5,
      loop_wait: 1,
      retry_timeout: 2,
      check_timeline: true,
      postgresql: { use_slots: false, parameters: { wal_keep_size: '4GB', wal_retrieve_retry_interval: '1000ms', ...partitionParameters } },
    });
    // A silent (cut-off) peer is dropped in ~10 s, not after the kernel's 2-hour keepalive.
    expect(yaml).toContain('tcp_keepalives_idle: 5');
    expect(yaml).toContain('wal_sender_timeout: 10s');
    const withSlots = readClusterConfig({ ...fresh, HOLDFAST_PATRONI_USE_SLOTS: 'true', HOLDFAST_PG_WAL_KEEP_SIZE: '64MB' });
    expect(patroniDynamicConfig(withSlots)).toMatchObject({ postgresql: { use_slots: true, parameters: { wal_keep_size: '64MB' } } });
    expect(() => readClusterConfig({ ...fresh, HOLDFAST_PG_WAL_KEEP_SIZE: 'lots' })).toThrow();
    // A server marked down (a new primary before its first passing check) is checked every 250 ms.
    expect(haproxyCfg(config, region)).toContain('inter 500ms fastinter 250ms downinter 250ms fall 2 rise 1');
  });

  it('[NETNS_LAYOUT] gives every region its own namespace and address in 198.18.<id>.0/24 (never loopback, never a routed range)', () => {
    const config = readClusterConfig({ ...fresh, HOLDFAST_CLUSTER_NETWORK: 'netns', HOLDFAST_CLUSTER_NETNS_ID: '7' });
    expect(config.network).toEqual({ mode: 'netns', bridge: 'hf7-bridge', client: 'hf7-client', clientHost: '198.18.7.100', subnet: '198.18.7.0/24' });
    expect(config.regions.map((r) => [r.namespace, r.host])).toEqual([
      ['hf7-r1', '198.18.7.11'],
      ['hf7-r2', '198.18.7.12'],
      ['hf7-r3', '198.18.7.13'],
    ]);
    const region = config.regions[0];
    if (region === undefined) throw new Error('no region');
    const yaml = patroniYaml(config, region, '/tmp/pg1');
    // Listens on its own address; admits only the cluster's subnet; no 127.0.0.1 left anywhere.
    expect(yaml).toContain('listen: 198.18.7.11:5441');
    expect(yaml).toContain('host all all 198.18.7.0/24 scram-sha-256');
    expect(yaml).not.toContain('127.0.0.1');
    expect(haproxyCfg(config, region)).toContain('server pg2 198.18.7.12:5442 check port 8009');
    expect(haproxyCfg(config, region)).not.toContain('127.0.0.1');
    expect(gatewayEndpoints(config).map((g) => g.url)).toEqual([
      'http://198.18.7.11:4111',
      'http://198.18.7.11:4112',
      'http://198.18.7.12:4121',
      'http://198.18.7.13:4131',
    ]);
    // The loopback default is unchanged.
    expect(readClusterConfig(fresh).regions.every((r) => r.host === '127.0.0.1' && r.namespace === null)).toBe(true);
  });
});
