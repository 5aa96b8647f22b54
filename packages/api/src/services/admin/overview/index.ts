// The admin console's live failover map (issue 13): topology, collector and the source parsers.
export {
  createOverviewCollector,
  defaultOverviewCollectorSettings,
  type OverviewCollector,
  type OverviewCollectorSettings,
  type OverviewSourceHandle,
} from './collector';
export { histogramQuantile, metricsSampleOf, MetricsWindow, type MetricsSample, type WindowRates } from './metrics-window';
export { parseEtcdHealth, parseEtcdIsLeader } from './etcd';
export { parseHaproxyPrimary } from './haproxy';
export { parsePatroniCluster, parsePatroniHistory, parsePatroniNode, postgresRoleOf } from './patroni';
export { parsePrometheusText, type PrometheusSample } from './prometheus-text';
export { parseGatewayReadyz, type GatewayReadiness } from './readyz';
export { overviewTopologySchema, readOverviewTopologyFile, singleGatewayTopology, type OverviewRegionTopology, type OverviewTopology } from './topology';
