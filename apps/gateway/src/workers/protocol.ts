// The messages between the gateway's cluster primary and its workers (node:cluster IPC, JSON).
// The primary never touches the database: it forks, restarts and stops workers, and merges the
// workers' metrics for whichever worker was asked for /metrics.

/** Worker → primary: runGateway resolved and this worker serves requests at `url`, or the background process started (null). */
export interface WorkerReady {
  type: 'holdfast:ready';
  url: string | null;
}

/** Worker → primary: a client asked this worker for /metrics; answer with every worker's, merged. */
export interface MergedMetricsRequest {
  type: 'holdfast:metrics-request';
  id: number;
}

/** Primary → worker: the merged exposition text for a MergedMetricsRequest (or why there is none). */
export interface MergedMetricsResponse {
  type: 'holdfast:metrics-response';
  id: number;
  text?: string;
  error?: string;
}

/** Primary → worker: send your registry's metrics as JSON (prom-client `getMetricsAsJSON`). */
export interface MetricsCollect {
  type: 'holdfast:metrics-collect';
  id: number;
}

/** Worker → primary: the answer to MetricsCollect. */
export interface MetricsPart {
  type: 'holdfast:metrics-part';
  id: number;
  metrics: object[];
}

export type WorkerMessage = WorkerReady | MergedMetricsRequest | MetricsPart;
export type PrimaryMessage = MergedMetricsResponse | MetricsCollect;

function typeOf(message: unknown): unknown {
  return typeof message === 'object' && message !== null && 'type' in message ? message.type : undefined;
}

export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const type = typeOf(message);
  return type === 'holdfast:ready' || type === 'holdfast:metrics-request' || type === 'holdfast:metrics-part';
}

export function isPrimaryMessage(message: unknown): message is PrimaryMessage {
  const type = typeOf(message);
  return type === 'holdfast:metrics-response' || type === 'holdfast:metrics-collect';
}
