// A worker's side of the IPC with the cluster primary: announce readiness, answer the primary's
// metrics collection from this worker's registry, and ask the primary for everyone's metrics.
import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import { isPrimaryMessage, type WorkerMessage } from './protocol';

/** How long /metrics waits for the primary to merge every worker's metrics. */
const mergeTimeoutMs = 5_000;

let registry: Registry | null = null;
let nextRequestId = 1;
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
let isListening = false;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function listen(): void {
  if (isListening || !cluster.isWorker) return;
  isListening = true;
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'holdfast:metrics-collect') {
      const local = registry;
      // A worker whose server has not built its metrics yet has nothing to add.
      void (local === null ? Promise.resolve([]) : local.getMetricsAsJSON()).then(
        (metrics) => {
          send({ type: 'holdfast:metrics-part', id: message.id, metrics });
        },
        () => {
          send({ type: 'holdfast:metrics-part', id: message.id, metrics: [] });
        },
      );
      return;
    }
    const request = pending.get(message.id);
    if (request === undefined) return;
    pending.delete(message.id);
    clearTimeout(request.timer);
    if (message.text === undefined) request.reject(new Error(message.error ?? 'no merged metrics'));
    else request.resolve(message.text);
  });
}

/** True in a worker forked by the gateway's primary (metrics are then merged across workers). */
export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

/** This worker's metrics registry, for the primary's collection rounds. */
export function shareMetricsRegistry(value: Registry): void {
  registry = value;
  listen();
}

/** Every worker's metrics merged by the primary (counters and histograms summed, gauges by their aggregator). */
export function requestMergedMetrics(): Promise<string> {
  listen();
  const id = nextRequestId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary did not merge the metrics in time'));
    }, mergeTimeoutMs);
    pending.set(id, { resolve, reject, timer });
    send({ type: 'holdfast:metrics-request', id });
  });
}

/** Tells the primary this worker is up: serving requests at `url`, or (null) the background process. */
export function announceReady(url: string | null): void {
  listen();
  send({ type: 'holdfast:ready', url });
}
