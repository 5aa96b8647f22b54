// A gateway: `DATABASE_URL=… HOLDFAST_ENCRYPTION_KEYS=… node dist/main.js` (built by `npm run build`).
// With HOLDFAST_GATEWAY_WORKERS > 1 (default: one per core) this process is a small cluster
// primary that forks the workers and a background process (the audit sealer, retention); with 1 it
// does everything itself. Each part is imported only where it runs: the primary never loads the
// API, the database client or Prisma.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { readGatewayEnv } from './env';

const env = readGatewayEnv();
const workers = env.HOLDFAST_GATEWAY_WORKERS ?? availableParallelism();
if (cluster.isPrimary && workers > 1) {
  const { runPrimary } = await import('./workers/primary');
  await runPrimary({ env, workers });
} else if (cluster.isWorker && env.HOLDFAST_WORKER_ROLE === 'background') {
  const { runBackground } = await import('./workers/background');
  runBackground(env);
} else {
  const { runWorker } = await import('./workers/worker');
  await runWorker(env);
}
