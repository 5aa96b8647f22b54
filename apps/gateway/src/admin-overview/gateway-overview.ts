// The gateway's live failover map collector (issue 13): the topology from HOLDFAST_TOPOLOGY_FILE
// (written by `npm run cluster`), or this gateway alone with its own database (npm start).
// One collector per worker process; it polls only while someone is looking.
import { createOverviewCollector, readOverviewTopologyFile, singleGatewayTopology, type OverviewCollector, type OverviewTopology } from '@holdfast/api';

export interface GatewayOverview {
  collector: OverviewCollector;
  /** Called once the server listens: the single-region default polls this gateway's own URL. */
  setSelfUrl: (url: string) => void;
}

export async function createGatewayOverview(options: { topologyFile: string | undefined; gatewayId: string; region: string }): Promise<GatewayOverview> {
  // A bad file stops the gateway at start: a map silently showing one region would mislead.
  const fromFile: OverviewTopology | null = options.topologyFile === undefined ? null : await readOverviewTopologyFile(options.topologyFile);
  let single: OverviewTopology | null = null;
  const collector = createOverviewCollector({
    self: { gatewayId: options.gatewayId, region: options.region },
    topology: () => fromFile ?? single,
  });
  return {
    collector,
    setSelfUrl: (url) => {
      single = singleGatewayTopology({ gatewayId: options.gatewayId, region: options.region, url });
    },
  };
}
