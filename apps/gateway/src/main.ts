// A gateway: `DATABASE_URL=… HOLDFAST_ENCRYPTION_KEYS=… node dist/main.js` (built by `npm run build`).
// By default (workers/process-plan.ts) this process is a small cluster primary that forks the
// request workers (one per core; half the cores when the database is on this machine) and a
// background process (the audit sealer, retention); with HOLDFAST_GATEWAY_WORKERS=1 it does
// everything itself. Each part is imported only where it runs: the primary never loads the API,
// the database client or Prisma.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { readGatewayEnv } from './env';
import { planProcesses } from './workers/process-plan';

const env = readGatewayEnv();
const plan = cluster.isPrimary
  ? planProcesses({ configured: env.HOLDFAST_GATEWAY_WORKERS, cores: availableParallelism(), databaseUrls: env.DATABASE_URL.split(',') })
  : null;
if (plan?.hasPrimary === true) {
  const { runPrimary } = await import('./workers/primary');
  await runPrimary({ env, workers: plan.requestWorkers });
} else if (cluster.isWorker && env.HOLDFAST_WORKER_ROLE === 'background') {
  const { runBackground } = await import('./workers/background');
  runBackground(env);
} else {
  const { runWorker } = await import('./workers/worker');
  await runWorker(env);
}
