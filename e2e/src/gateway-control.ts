// The e2e platform's gateways run in the global-setup process (their handles stop them at teardown),
// while the specs run in worker processes. A spec that stops a gateway and starts it again
// ([ADMIN_LIVE_MAP]) asks global setup to do it through this small HTTP API on 127.0.0.1, so the
// restarted gateway is again one of the platform's own processes — same port, same settings — and
// teardown stops it like the rest:
//   GET  /gateways              → [{ id, url, pid }]
//   POST /gateways/<id>/stop    → { exitedAt }   (SIGTERM, resolved once the process has exited)
//   POST /gateways/<id>/start   → { pid }        (resolved once its /healthz answers)
// It also writes the topology file that lets every gateway's live map show all of them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningProcess } from './processes';

export interface ControlledGateway {
  id: string;
  url: string;
  process: RunningProcess;
}

export interface GatewayInfo {
  id: string;
  url: string;
  pid: number;
}

/**
 * A single-region topology naming every e2e gateway (the format `npm run cluster` writes, read by the
 * gateways through HOLDFAST_TOPOLOGY_FILE), so the console's map shows a stopped peer as down.
 */
export async function writeTopologyFile(gateways: readonly { id: string; url: string }[]): Promise<{ file: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-e2e-topology-'));
  const file = path.join(dir, 'topology.json');
  await writeFile(file, JSON.stringify({ version: 1, topology: 'single', regions: [{ name: 'local', gateways }] }));
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Serves the control API for `gateways` on a free 127.0.0.1 port. */
export async function startGatewayControl(gateways: readonly ControlledGateway[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/gateways') {
      send(
        200,
        gateways.map((g) => ({ id: g.id, url: g.url, pid: g.process.pid })),
      );
      return;
    }
    const match = /^\/gateways\/([A-Za-z0-9._-]+)\/(stop|start)$/.exec(url.pathname);
    const gateway = gateways.find((g) => g.id === match?.[1]);
    if (req.method !== 'POST' || match === null || gateway === undefined) {
      send(404, { error: 'unknown route or gateway' });
      return;
    }
    const action =
      match[2] === 'stop' ? gateway.process.stop().then(() => ({ exitedAt: Date.now() })) : gateway.process.start().then(() => ({ pid: gateway.process.pid }));
    action.then(
      (body) => {
        send(200, body);
      },
      (error: unknown) => {
        send(500, { error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

// The specs' side.

export async function listGateways(controlUrl: string): Promise<GatewayInfo[]> {
  const response = await fetch(`${controlUrl}/gateways`);
  if (!response.ok) throw new Error(`gateway control: /gateways answered ${String(response.status)}`);
  return (await response.json()) as GatewayInfo[];
}

/** Stops the gateway (SIGTERM, graceful); answers when its process had exited (this machine's clock, ms). */
export async function stopGateway(controlUrl: string, id: string): Promise<{ exitedAt: number }> {
  const response = await fetch(`${controlUrl}/gateways/${id}/stop`, { method: 'POST' });
  const body = (await response.json()) as { exitedAt: number } | { error: string };
  if ('error' in body) throw new Error(`gateway control: stop ${id}: ${body.error}`);
  return body;
}

/** Starts the stopped gateway again on its port with its settings; answers once its /healthz does. */
export async function startGatewayAgain(controlUrl: string, id: string): Promise<{ pid: number }> {
  const response = await fetch(`${controlUrl}/gateways/${id}/start`, { method: 'POST' });
  const body = (await response.json()) as { pid: number } | { error: string };
  if ('error' in body) throw new Error(`gateway control: start ${id}: ${body.error}`);
  return body;
}
