import { createTestDatabase, findFreePort } from '@holdfast/db/testing';
import { createApplication, createDatabase, type Database } from '@holdfast/db';
import { startProcess, type RunningProcess } from '@holdfast/process';
import { clusterOverview, type ClusterOverview, type GatewayStatus } from '@holdfast/validators';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestAdmin, query, signInEnrollingTotp } from './admin.support';
import { testKeys } from './support/gateways';

// The admin console's live failover map (issue 13) in single-region mode against real gateway
// processes: gateway A's collector watches A and B (a topology file naming both, as `npm run
// cluster` writes one); B is stopped and started again on the same port.

const gatewayDir = fileURLToPath(new URL('..', import.meta.url));

interface Gateway {
  id: string;
  url: string;
  port: number;
  process: RunningProcess;
}

async function startGatewayOn(options: { id: string; port: number; databaseUrl: string; topologyFile: string }): Promise<Gateway> {
  const url = `http://127.0.0.1:${String(options.port)}`;
  const child = await startProcess({
    name: `gateway ${options.id}`,
    args: ['--enable-source-maps', 'dist/main.js'],
    cwd: gatewayDir,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: options.databaseUrl,
      HOLDFAST_HOST: '127.0.0.1',
      HOLDFAST_PORT: String(options.port),
      HOLDFAST_GATEWAY_ID: options.id,
      HOLDFAST_REGION: 'local',
      HOLDFAST_ENCRYPTION_KEYS: `k1:${testKeys.k1},k2:${testKeys.k2}`,
      HOLDFAST_ACTIVE_KEY_ID: 'k1',
      HOLDFAST_CANARY_INTERVAL_MS: '1000',
      HOLDFAST_GATEWAY_WORKERS: '1',
      HOLDFAST_TOPOLOGY_FILE: options.topologyFile,
    },
    ready: { url: `${url}/readyz` },
    readyTimeoutMs: 30_000,
  });
  return { id: options.id, url, port: options.port, process: child };
}

/** An SSE reader over fetch: every `event: overview` parsed and stamped with when it arrived. */
function openOverviewStream(url: string, bearer: string): { events: { at: number; overview: ClusterOverview }[]; status: Promise<number>; close: () => void } {
  const abort = new AbortController();
  const events: { at: number; overview: ClusterOverview }[] = [];
  const status = fetch(`${url}/v1/admin/overview/stream`, { headers: { authorization: `Bearer ${bearer}` }, signal: abort.signal }).then((response) => {
    const body = response.body;
    if (body !== null && response.status === 200) {
      void (async () => {
        const decoder = new TextDecoder();
        let buffer = '';
        try {
          for await (const chunk of body) {
            buffer += decoder.decode(chunk as Uint8Array, { stream: true });
            let end = buffer.indexOf('\n\n');
            while (end !== -1) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const lines = frame.split('\n');
              const data = lines.find((line) => line.startsWith('data: '));
              if (lines.includes('event: overview') && data !== undefined) {
                events.push({ at: Date.now(), overview: clusterOverview.parse(JSON.parse(data.slice('data: '.length))) });
              }
              end = buffer.indexOf('\n\n');
            }
          }
        } catch {
          // aborted by close()
        }
      })();
    }
    return response.status;
  });
  return {
    events,
    status,
    close: () => {
      abort.abort();
    },
  };
}

function gatewayIn(overview: ClusterOverview, id: string): GatewayStatus | undefined {
  return overview.regions.flatMap((r) => r.gateways).find((g) => g.id === id);
}

/** Waits for the first event after `since` that satisfies `isDone`; returns when it arrived. */
async function eventWhere(
  events: readonly { at: number; overview: ClusterOverview }[],
  since: number,
  isDone: (overview: ClusterOverview) => boolean,
  timeoutMs: number,
): Promise<{ at: number; overview: ClusterOverview }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find((e) => e.at >= since && isDone(e.overview));
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(`no matching overview event within ${String(timeoutMs)} ms; last: ${JSON.stringify(events.at(-1)?.overview.regions)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('[ADMIN_LIVE_MAP] the live failover map, single region, real gateways', () => {
  let db: Database;
  let dropDatabase: () => Promise<void>;
  let dir = '';
  let a: Gateway;
  let b: Gateway;
  let gatewayDatabaseUrl = '';
  let topologyFile = '';
  let session = '';

  beforeAll(async () => {
    const database = await createTestDatabase(inject('pgAdminUrl'));
    dropDatabase = database.drop;
    gatewayDatabaseUrl = database.gatewayUrl;
    db = createDatabase({ url: database.url, poolMax: 2 });
    dir = await mkdtemp(path.join(tmpdir(), 'holdfast-overview-'));
    const [portA, portB] = [await findFreePort(), await findFreePort()];
    topologyFile = path.join(dir, 'topology.json');
    await writeFile(
      topologyFile,
      JSON.stringify({
        version: 1,
        topology: 'single',
        regions: [
          {
            name: 'local',
            gateways: [
              { id: 'gw-a', url: `http://127.0.0.1:${String(portA)}` },
              { id: 'gw-b', url: `http://127.0.0.1:${String(portB)}` },
            ],
          },
        ],
      }),
    );
    [a, b] = await Promise.all([
      startGatewayOn({ id: 'gw-a', port: portA, databaseUrl: gatewayDatabaseUrl, topologyFile }),
      startGatewayOn({ id: 'gw-b', port: portB, databaseUrl: gatewayDatabaseUrl, topologyFile }),
    ]);
    const auditor = await createTestAdmin(db, 'auditor');
    session = (await signInEnrollingTotp(a.url, auditor)).session.sessionToken;
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a.process.stop(), b.process.stop()]);
    await db.close();
    await dropDatabase();
    await rm(dir, { recursive: true, force: true });
  });

  it('admin.overview.snapshot: both gateways ready, the database seen through /readyz, every source named', async () => {
    const answer = await query(a.url, 'admin.overview.snapshot', session);
    expect(answer.status).toBe(200);
    const overview = clusterOverview.parse(answer.data);
    expect(overview).toMatchObject({ topology: 'single', observedBy: { gatewayId: 'gw-a', region: 'local' }, failovers: [] });
    expect(overview.regions).toHaveLength(1);
    expect(overview.regions[0]?.postgres).toEqual([{ name: 'postgres', role: 'leader', state: 'running', timeline: null, lagBytes: 0 }]);
    for (const id of ['gw-a', 'gw-b']) expect(gatewayIn(overview, id)).toMatchObject({ reachable: true, ready: true, historyRewritten: false });
    expect(gatewayIn(overview, 'gw-a')?.canaryLatencyMs).toEqual(expect.any(Number));
    expect(overview.sources.filter((s) => !s.ok)).toEqual([]);
  });

  it('refuses callers that are not admins: no bearer, a relying application key', async () => {
    const { apiKey } = await createApplication({ prisma: db.prisma, name: 'overview-app' });
    for (const bearer of [undefined, apiKey]) {
      const snapshot = await query(a.url, 'admin.overview.snapshot', bearer);
      expect([snapshot.status, snapshot.code]).toEqual([401, 'ADMIN_SESSION_INVALID']);
      const stream = await fetch(`${a.url}/v1/admin/overview/stream`, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
      expect(stream.status).toBe(401);
      expect(stream.headers.get('content-type')).toContain('application/problem+json');
      expect(((await stream.json()) as { holdfastCode: string }).holdfastCode).toBe('ADMIN_SESSION_INVALID');
    }
  });

  it('the stream shows a stopped gateway unreachable within 3 s, and ready again within 3 s of it being ready', async () => {
    const stream = openOverviewStream(a.url, session);
    try {
      expect(await stream.status).toBe(200);
      await eventWhere(stream.events, 0, (o) => gatewayIn(o, 'gw-b')?.ready === true, 10_000);

      await b.process.stop();
      const stoppedAt = Date.now();
      const down = await eventWhere(stream.events, 0, (o) => gatewayIn(o, 'gw-b')?.reachable === false, 5_000);
      const downAfterMs = Math.max(0, down.at - stoppedAt);
      expect(downAfterMs).toBeLessThanOrEqual(3_000);
      expect(gatewayIn(down.overview, 'gw-b')).toMatchObject({ reachable: false, ready: false, canaryLatencyMs: null, requestsPerSecond: null });
      expect(down.overview.sources).toContainEqual(expect.objectContaining({ kind: 'gateway', name: 'gw-b', ok: false }));
      // The observer itself keeps answering: the map is not the database.
      expect(gatewayIn(down.overview, 'gw-a')).toMatchObject({ reachable: true, ready: true });

      b = await startGatewayOn({ id: 'gw-b', port: b.port, databaseUrl: gatewayDatabaseUrl, topologyFile });
      const readyAt = Date.now();
      const up = await eventWhere(stream.events, readyAt - 1, (o) => gatewayIn(o, 'gw-b')?.ready === true, 5_000);
      expect(up.at - readyAt).toBeLessThanOrEqual(3_000);
      expect(up.overview.sources.filter((s) => !s.ok)).toEqual([]);

      // Between changes, an event still comes at least every 5 s (the map's "last updated" stays true).
      const quietFrom = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      const quiet = stream.events.filter((e) => e.at >= quietFrom);
      expect(quiet.length).toBeGreaterThanOrEqual(1);
      console.log(`[ADMIN_LIVE_MAP] gateway down shown after ${String(downAfterMs)} ms, ready again after ${String(up.at - readyAt)} ms`);
    } finally {
      stream.close();
    }
  }, 60_000);
});
