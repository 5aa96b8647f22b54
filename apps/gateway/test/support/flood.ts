import { Worker } from 'node:worker_threads';

export interface FloodReport {
  sent: number;
  byStatus: Record<string, number>;
  errors: number;
  seconds: number;
  requestsPerSecond: number;
}

// The load generator runs in a worker thread with its own event loop, so its callbacks do not
// delay the verifier's timers and responses in the test's thread (the p99 measured is the
// gateway's, not this process's). Plain CommonJS: eval'd workers are not transformed by vitest.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, path, bearers, body, targetPerSecond, durationMs, sockets } = workerData;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
const byStatus = {};
let sent = 0;
let errors = 0;
const started = Date.now();
const deadline = started + durationMs;
function once(i) {
  return new Promise((resolve) => {
    const bearer = bearers[i % bearers.length];
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    if (bearer !== null) headers.authorization = 'Bearer ' + bearer.replace('{random}', Math.random().toString(16).slice(2, 10).padEnd(8, '0'));
    const req = http.request({ host: target.hostname, port: target.port, path, method: 'POST', agent, headers, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => {
        byStatus[res.statusCode] = (byStatus[res.statusCode] || 0) + 1;
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      errors += 1;
      resolve();
    });
    req.end(body);
  });
}
async function lane() {
  while (Date.now() < deadline) {
    // Paced: never ahead of targetPerSecond × elapsed.
    const allowed = Math.floor(((Date.now() - started) / 1000) * targetPerSecond) + sockets;
    if (sent >= allowed) {
      await new Promise((r) => setTimeout(r, 2));
      continue;
    }
    const i = sent;
    sent += 1;
    await once(i);
  }
}
Promise.all(Array.from({ length: sockets }, () => lane())).then(() => {
  const seconds = (Date.now() - started) / 1000;
  agent.destroy();
  parentPort.postMessage({ sent, byStatus, errors, seconds, requestsPerSecond: sent / seconds });
});
`;

/**
 * Sends POSTs to `url + path` for `durationMs` at up to `targetPerSecond` over `sockets` keep-alive
 * connections, cycling through `bearers` (`null` = no Authorization header; `{random}` in a bearer
 * is replaced per request). Bounded: it stops by itself at the deadline.
 */
export function flood(options: {
  url: string;
  path: string;
  bearers: (string | null)[];
  body: string;
  targetPerSecond: number;
  durationMs: number;
  sockets: number;
}): Promise<FloodReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: options });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error('flood worker did not stop by itself'));
    }, options.durationMs + 15_000);
    worker.once('message', (report: FloodReport) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(report);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
