// What other workspaces may use of the gateway: run one in-process (the `holdfast start` launcher)
// and read its validated configuration (`holdfast rotate-keys`).
export { gatewayEnvSchema, readGatewayEnv, type GatewayEnv } from './env';
export { runGateway } from './run-gateway';
