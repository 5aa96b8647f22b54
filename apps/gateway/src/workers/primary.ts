// The gateway's cluster primary: forks the request workers (process-plan.ts) that share the listening
// socket (node:cluster, round-robin on Linux) and, once they serve, one background process for the
// jobs that serve no request (workers/background.ts: the audit sealer, retention); restarts any of
// them that dies (with backoff), merges the workers' metrics for /metrics, and on SIGTERM/SIGINT
// stops every worker gracefully (each writes its failure counters) before it exits. It never touches the database: migrations run in
// the workers, which race safely under the migrator's advisory lock.
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { GatewayEnv } from '../env';
import { createLogger } from '../log';
import { isWorkerMessage, type MergedMetricsRequest, type PrimaryMessage } from './protocol';

/** Restart backoff: doubles per crash in a row, from 500 ms up to 30 s. */
const restartBaseMs = 500;
const restartMaxMs = 30_000;
/** A worker that served this long before dying starts the backoff over. */
const stableAfterMs = 60_000;
/** How long the primary waits for each worker's part of a merged /metrics. */
const collectTimeoutMs = 2_000;
/** Workers that have not closed this long after SIGTERM are killed (their close hangs). */
const shutdownTimeoutMs = 20_000;

interface Slot {
  /** 1…N for request workers; the background process has none (null). */
  index: number | null;
  worker: Worker | null;
  isReady: boolean;
  startedAt: number;
  crashes: number;
  restartTimer: NodeJS.Timeout | null;
}

function sendTo(worker: Worker, message: PrimaryMessage): void {
  if (worker.isConnected()) worker.send(message);
}

export async function runPrimary(options: { env: GatewayEnv; workers: number }): Promise<void> {
  const { env } = options;
  const log = createLogger({ gatewayId: env.HOLDFAST_GATEWAY_ID, region: env.HOLDFAST_REGION, role: 'primary' });
  const newSlot = (index: number | null): Slot => ({ index, worker: null, isReady: false, startedAt: 0, crashes: 0, restartTimer: null });
  const requestSlots: Slot[] = Array.from({ length: options.workers }, (_, i) => newSlot(i + 1));
  const background = newSlot(null);
  const slots: Slot[] = [...requestSlots, background];
  let isStarted = false;
  let isShuttingDown = false;
  let exitCode = 0;
  let resolveStarted: (() => void) | null = null;
  const started = new Promise<void>((resolve) => {
    resolveStarted = resolve;
  });

  let nextCollectId = 1;
  const collectMetrics = async (request: MergedMetricsRequest, from: Worker): Promise<void> => {
    const ready = slots.flatMap((slot) => (slot.isReady && slot.worker !== null ? [slot.worker] : []));
    const id = nextCollectId++;
    const parts = await Promise.all(
      ready.map(
        (worker) =>
          new Promise<object[] | null>((resolve) => {
            const timer = setTimeout(() => {
              worker.off('message', onMessage);
              resolve(null);
            }, collectTimeoutMs);
            function onMessage(message: unknown): void {
              if (!isWorkerMessage(message) || message.type !== 'holdfast:metrics-part' || message.id !== id) return;
              clearTimeout(timer);
              worker.off('message', onMessage);
              resolve(message.metrics);
            }
            worker.on('message', onMessage);
            sendTo(worker, { type: 'holdfast:metrics-collect', id });
          }),
      ),
    );
    // A worker that did not answer (busy, restarting) is left out rather than failing the scrape.
    const answered = parts.filter((part): part is object[] => part !== null);
    try {
      const text = await AggregatorRegistry.aggregate(answered).metrics();
      sendTo(from, { type: 'holdfast:metrics-response', id: request.id, text });
    } catch (error) {
      sendTo(from, { type: 'holdfast:metrics-response', id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  };

  const fork = (slot: Slot): void => {
    slot.restartTimer = null;
    slot.isReady = false;
    slot.startedAt = Date.now();
    // The slot (not node's ever-growing worker id) names the worker's canary user.
    const worker = cluster.fork(slot.index === null ? { HOLDFAST_WORKER_ROLE: 'background' } : { HOLDFAST_WORKER_SLOT: String(slot.index) });
    slot.worker = worker;
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.type === 'holdfast:ready') {
        slot.isReady = true;
        if (!isStarted && requestSlots.every((s) => s.isReady)) {
          isStarted = true;
          log('workers_ready', { workers: requestSlots.length, url: message.url });
          // After the request workers: they have run the migrations the background jobs read.
          fork(background);
          resolveStarted?.();
        }
      } else if (message.type === 'holdfast:metrics-request') {
        void collectMetrics(message, worker);
      }
    });
    worker.on('exit', (code, signal) => {
      slot.worker = null;
      slot.isReady = false;
      if (isShuttingDown) {
        if (code !== 0) exitCode = 1;
        if (slots.every((s) => s.worker === null)) {
          log('stopped', { exitCode });
          process.exit(exitCode);
        }
        return;
      }
      if (!isStarted) {
        // A worker that cannot start (configuration, migrations, port) will not start on a retry
        // either: exit non-zero so the supervisor or the launcher sees it.
        log('worker_failed_to_start', { worker: slot.index ?? 'background', pid: worker.process.pid ?? null, exitCode: code, signal });
        exitCode = 1;
        shutdown();
        return;
      }
      slot.crashes = Date.now() - slot.startedAt > stableAfterMs ? 1 : slot.crashes + 1;
      const delayMs = Math.min(restartMaxMs, restartBaseMs * 2 ** (slot.crashes - 1));
      log('worker_exited', { worker: slot.index ?? 'background', pid: worker.process.pid ?? null, exitCode: code, signal, restartInMs: delayMs });
      slot.restartTimer = setTimeout(() => {
        fork(slot);
      }, delayMs);
    });
  };

  const shutdown = (): void => {
    if (isShuttingDown) return;
    isShuttingDown = true;
    for (const slot of slots) {
      if (slot.restartTimer !== null) clearTimeout(slot.restartTimer);
      slot.restartTimer = null;
    }
    const live = slots.flatMap((slot) => (slot.worker === null ? [] : [slot.worker]));
    if (live.length === 0) {
      log('stopped', { exitCode });
      process.exit(exitCode);
    }
    // Each worker closes its server, flushes its failure counters and closes its pools.
    for (const worker of live) worker.process.kill('SIGTERM');
    setTimeout(() => {
      log('shutdown_timeout', { killing: slots.flatMap((slot) => (slot.worker?.process.pid === undefined ? [] : [slot.worker.process.pid])) });
      for (const slot of slots) slot.worker?.process.kill('SIGKILL');
      exitCode = 1;
    }, shutdownTimeoutMs).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  for (const slot of requestSlots) fork(slot);
  await started;
}
