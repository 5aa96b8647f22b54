// A gateway process: `DATABASE_URL=… HOLDFAST_ENCRYPTION_KEYS=… node --import tsx src/main.ts`.
import { readGatewayEnv } from './env';
import { runGateway } from './run-gateway';

const gateway = await runGateway(readGatewayEnv());
const shutdown = (): void => {
  void gateway.close().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
