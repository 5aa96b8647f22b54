// Server-side helpers the Next.js apps share (`@holdfast/ui/server`): kept out of the main entry so
// no client bundle pulls them in.
export type { CallWithFailoverOptions, GatewayCallOptions } from './gateway-failover';
export { callWithFailover, createGatewayCaller, GatewayError, gatewayErrorFromData, hasRefusedConnection } from './gateway-failover';
