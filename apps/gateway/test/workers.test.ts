import { readProcStatSync } from '@holdfast/process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayProcess } from './support/gateways';
import { enrollTotpUser, startEnvironment } from './support/fixtures';

interface Answer {
  status: number;
  worker: string;
  body: string;
}

/**
 * One request on a connection of its own: node:cluster hands out connections (round-robin), not
 * requests, so a keep-alive client would stay on one worker.
 */
function request(url: string, options: { path: string; bearer?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { connection: 'close' };
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    const req = http.get(`${url}${options.path}`, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const worker = res.headers['x-holdfast-worker'];
        resolve({ status: res.statusCode ?? 0, worker: typeof worker === 'string' ? worker : '', body });
      });
    });
    // A connection handed to a worker the moment it is killed is lost with it; never wait forever.
    req.setTimeout(3000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const preauthPath = `/trpc/preauth?input=${encodeURIComponent(JSON.stringify({ userId: 'worker-user' }))}`;

/** `holdfast_requests_total` for one procedure, summed over its label sets. */
function requestsCounted(metricsText: string, procedure: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (line.startsWith('holdfast_requests_total{') && line.includes(`procedure="${procedure}"`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The gateway's log lines (every process's) that carry `event`, parsed. */
function events(gw: GatewayProcess, event: string): Record<string, unknown>[] {
  return gw
    .output()
    .split('\n')
    .filter((line) => line.includes(`"event":"${event}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('[GATEWAY_WORKERS] one gateway, several worker processes', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let gw: GatewayProcess;
  let apiKey: string;
  beforeAll(async () => {
    // gw-a never seals: the advisory lock is then free for gw-workers' background process.
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_AUDIT_SEAL_INTERVAL_MS: '0' } });
    const [first] = env.gateways;
    if (first === undefined) throw new Error('gateway expected');
    ({ apiKey } = await enrollTotpUser({ db: env.db, gatewayUrl: first.url, userId: 'worker-user' }));
    gw = await startGateway({
      databaseUrl: env.gatewayDatabaseUrl,
      gatewayId: 'gw-workers',
      env: { HOLDFAST_GATEWAY_WORKERS: '2', HOLDFAST_AUTH_FAILURE_FLUSH_MS: '60000', HOLDFAST_AUDIT_SEAL_INTERVAL_MS: '200' },
      waitUntilReady: true,
    });
    // /readyz answers as soon as one worker listens; the primary says when every worker does.
    if (!(await until(() => Promise.resolve(gw.output().includes('"event":"workers_ready"')), 30_000))) throw new Error('workers not ready');
  }, 60_000);
  afterAll(async () => {
    // Stopped already when the test got that far; otherwise its primary must not outlive the run.
    await gw.stop();
    await env.stop();
  });

  it('seals the audit log in its background process, never on a request worker, and restarts that process', async () => {
    const backgroundPids = (): number[] => events(gw, 'background_started').map((e) => Number(e.pid));
    const sealedTreeSize = async (): Promise<number> =>
      Number((await env.db.pool.query<{ size: string | null }>('SELECT max(tree_size)::text AS size FROM audit_checkpoints')).rows[0]?.size ?? 0);
    const auditRows = async (): Promise<number> => Number((await env.db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_events')).rows[0]?.n);

    expect(await until(() => Promise.resolve(backgroundPids().length === 1), 20_000)).toBe(true);
    const [first] = backgroundPids();
    if (first === undefined) throw new Error('background pid expected');
    // It serves no request: every answer comes from a request worker.
    const answers = await Promise.all(Array.from({ length: 6 }, () => request(gw.url, { path: preauthPath, bearer: apiKey })));
    expect(answers.map((a) => a.worker)).not.toContain(String(first));
    // It yields the cores to requests (HOLDFAST_BACKGROUND_NICE, default 10); the request workers do not.
    expect(readProcStatSync(first)?.nice).toBe(10);
    for (const worker of new Set(answers.map((a) => Number(a.worker)))) expect(readProcStatSync(worker)?.nice).toBe(0);

    // Every audit row written so far (enrollment, both workers' canaries) gets sealed, and only
    // the background process ever took the sealer's lock.
    const written = await auditRows();
    expect(await until(async () => (await sealedTreeSize()) >= written, 20_000)).toBe(true);
    expect(events(gw, 'audit_sealer_elected').map((e) => e.role)).toEqual(['background']);

    // Killed, it is restarted; the new one is elected (the dead session's lock went with it) and
    // seals what was written meanwhile.
    process.kill(first, 'SIGKILL');
    expect(await until(() => Promise.resolve(backgroundPids().length === 2), 20_000)).toBe(true);
    expect(events(gw, 'worker_exited').map((e) => e.worker)).toEqual(['background']);
    const writtenAfter = await auditRows();
    expect(await until(async () => (await sealedTreeSize()) >= writtenAfter, 20_000)).toBe(true);
    expect(events(gw, 'audit_sealer_elected').map((e) => e.role)).toEqual(['background', 'background']);
  }, 90_000);

  it('answers from both workers, sums their metrics on /metrics, restarts a killed worker and stops cleanly', async () => {
    const requests = 20;
    const answers: Answer[] = [];
    for (let i = 0; i < requests; i += 1) answers.push(await request(gw.url, { path: preauthPath, bearer: apiKey }));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const workers = new Set(answers.map((a) => a.worker));
    expect(workers.size).toBe(2);
    expect(workers.has(String(gw.pid))).toBe(false); // the primary serves nothing

    // Whichever worker answers /metrics, it reports every worker's requests.
    const scrapes = await Promise.all(Array.from({ length: 4 }, () => request(gw.url, { path: '/metrics' })));
    expect(new Set(scrapes.map((s) => s.worker)).size).toBe(2);
    for (const scrape of scrapes) {
      expect(scrape.status).toBe(200);
      expect(requestsCounted(scrape.body, 'preauth')).toBeGreaterThanOrEqual(requests);
    }
    // Each worker runs its own canary, as its own canary user (a 1-s step is single use).
    const canaryUsers = await env.db.prisma.user.findMany({ where: { externalId: { startsWith: 'canary:gw-workers' } }, select: { externalId: true } });
    expect(canaryUsers.map((u) => u.externalId).sort()).toEqual(['canary:gw-workers', 'canary:gw-workers/w2']);

    // A worker crashes: the other keeps answering, the primary starts a new one in its place.
    const [victim] = [...workers];
    if (victim === undefined) throw new Error('worker expected');
    process.kill(Number(victim), 'SIGKILL');
    // Once the primary has seen the worker die (a connection handed over at that instant dies with
    // it), every request is answered, first by the survivor alone, then by the replacement too.
    expect(await until(() => Promise.resolve(events(gw, 'worker_exited').some((e) => e.worker !== 'background')), 10_000)).toBe(true);
    const during: Answer[] = [];
    const replaced = await until(async () => {
      const answer = await request(gw.url, { path: preauthPath, bearer: apiKey }).catch((error: unknown) => ({ status: 0, worker: '', body: String(error) }));
      during.push(answer);
      return answer.status === 200 && !workers.has(answer.worker);
    }, 20_000);
    expect(replaced).toBe(true);
    expect(during.filter((a) => a.status !== 200)).toEqual([]);

    // Failed authentications held in memory by both workers are written when the gateway stops.
    const badKey = `${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`;
    const before = Date.now();
    const refused: Answer[] = [];
    for (let i = 0; i < 6; i += 1) refused.push(await request(gw.url, { path: preauthPath, bearer: badKey }));
    expect(refused.every((a) => a.status === 401)).toBe(true);
    expect(new Set(refused.map((a) => a.worker)).size).toBe(2);
    const exit = await gw.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    const counted = await env.db.pool.query<{ total: string }>(
      'SELECT coalesce(sum(count), 0)::text AS total FROM auth_failure_counters WHERE last_seen >= $1',
      [new Date(before - 1000)],
    );
    expect(Number(counted.rows[0]?.total)).toBe(refused.length);
  }, 90_000);
});
