import { describe, expect, it } from 'vitest';
import { databaseUrlsFor, readClusterConfig } from './config';

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
});
