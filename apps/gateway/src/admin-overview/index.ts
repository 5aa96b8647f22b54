// The admin console's live failover map on the gateway (issue 13): its collector and SSE route.
export { createGatewayOverview, type GatewayOverview } from './gateway-overview';
export {
  adminOverviewStreamPath,
  createAdminOverviewStreamEndpoint,
  defaultAdminOverviewStreamSettings,
  isAdminOverviewStreamUrl,
  type AdminOverviewStreamEndpoint,
  type AdminOverviewStreamSettings,
} from './overview-stream-endpoint';
export { overviewChangeKey, overviewFrame } from './overview-frames';
