// The live failover map's topology (issue 13): where each region's Patroni REST, etcd, HAProxy
// stats and gateways listen, as JSON next to state.json. The gateways the cluster starts read it
// (HOLDFAST_TOPOLOGY_FILE; validated there by api's overviewTopologySchema).
import { writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { regionUrl, type ClusterConfig } from './config';

export function topologyFilePath(config: ClusterConfig): string {
  return path.join(config.dir, 'topology.json');
}

export function clusterTopology(config: ClusterConfig): unknown {
  return {
    version: 1,
    topology: 'cluster',
    regions: config.regions.map((region) => {
      const local = (port: number): string => regionUrl(region, port);
      return {
        name: region.name,
        patroni: [{ name: region.node.name, url: local(region.node.restPort) }],
        etcd: [{ name: region.etcd.name, url: local(region.etcd.clientPort) }],
        haproxy: [
          {
            name: `haproxy-${region.name}`,
            host: region.host,
            port: region.haproxy.port,
            listener: `primary_${region.name}`,
            statsUrl: `${local(region.haproxy.statsPort)}/stats`,
          },
        ],
        gateways: region.gateways.map((g) => ({ id: g.id, url: local(g.port) })),
      };
    }),
  };
}

/** Written atomically (a gateway starting meanwhile reads the old file or the new one, never half). */
export async function writeTopologyFile(config: ClusterConfig): Promise<string> {
  const file = topologyFilePath(config);
  const temporary = `${file}.${String(process.pid)}.tmp`;
  await writeFile(temporary, `${JSON.stringify(clusterTopology(config), null, 2)}\n`);
  await rename(temporary, file);
  return file;
}
