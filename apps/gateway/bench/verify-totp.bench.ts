// `npm run bench`: TOTP verifications through one gateway (real HTTP, real Postgres with fsync on)
// at a fixed concurrency, against the floor measured in the same run on the same database: the
// bare compare-and-set `UPDATE … WHERE last_step < $step` round trip with `pg`. Rounds alternate
// floor / gateway so machine noise hits both; the medians of the rounds are reported.
import { createTotpSecret, encryptSecret, generateTotpCode, parseKeyring, timeStepAt, totpSecretAad, type TotpParams } from '@holdfast/core';
import { createApplication, createDatabase, migrateDatabase, startEmbeddedPostgres } from '@holdfast/db';
import { findFreePort } from '@holdfast/db/testing';
import { startProcess, type RunningProcess } from '@holdfast/process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { benchEnv } from './env';

// Two fixed concurrency levels: light load (latency) and saturation (throughput).
const levels = benchEnv.BENCH_CONCURRENCY.split(',').map(Number);
const concurrency = Math.max(...levels);
const roundSeconds = benchEnv.BENCH_ROUND_SECONDS;
const rounds = benchEnv.BENCH_ROUNDS;
// Every request needs a code nobody used yet: factors with a 1 s period give each factor a fresh
// code every second, so each worker cycles through its own factors. The work per request is the
// same as for a 30 s factor.
const factorsPerWorker = 300;
const params: TotpParams = { algorithm: 'SHA1', digits: 6, period: 1 };

interface RoundResult {
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  count: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(workers: number, seconds: number, once: (worker: number) => Promise<boolean>): Promise<RoundResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await once(worker).catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { throughput: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, count: latencies.length };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-bench-'));
await chmod(dir, 0o755);
const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort() });
let gateway: RunningProcess | undefined;
try {
  const url = new URL(server.url);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  url.pathname = '/bench';
  const db = createDatabase({ url: url.toString(), poolMax: concurrency });
  await migrateDatabase({ pool: db.pool });

  const keyring = parseKeyring({ keys: `b1:${randomBytes(32).toString('base64')}`, activeKeyId: 'b1' });
  const random = (size: number) => new Uint8Array(randomBytes(size));
  const { applicationId, apiKey } = await createApplication({ prisma: db.prisma, name: 'bench' });
  console.log(`seeding ${concurrency * factorsPerWorker} users with TOTP factors…`);
  const workers: { userId: string; secret: string; lastStep: number }[][] = [];
  for (let w = 0; w < concurrency; w += 1) {
    const users: { userId: string; secret: string; lastStep: number }[] = [];
    for (let i = 0; i < factorsPerWorker; i += 1) {
      const userId = `bench-${w}-${i}`;
      const factorId = randomUUID();
      const secret = createTotpSecret({ random, algorithm: 'SHA1' });
      await db.prisma.user.create({
        data: {
          applicationId,
          externalId: userId,
          factors: {
            create: {
              id: factorId,
              kind: 'totp',
              label: 'bench',
              status: 'active',
              totp: { create: { secretEnc: encryptSecret({ keyring, plaintext: secret, aad: totpSecretAad(factorId), random }), period: 1 } },
            },
          },
        },
      });
      users.push({ userId, secret, lastStep: -1 });
    }
    workers.push(users);
  }
  // The floor's rows: one per worker, each CAS with a step that always grows, so every update wins.
  // Rows of their own, so the floor never touches the factors the gateway rounds verify.
  const floorIds: string[] = [];
  for (let w = 0; w < concurrency; w += 1) {
    const factorId = randomUUID();
    await db.prisma.user.create({
      data: {
        applicationId,
        externalId: `floor-${w}`,
        factors: { create: { id: factorId, kind: 'totp', label: 'floor', status: 'active', totp: { create: { secretEnc: 'unused', period: 1 } } } },
      },
    });
    floorIds.push(factorId);
  }
  // Far above any real time step, so the gateway rounds (which set real steps) never make a floor CAS lose.
  let floorStep = 1_000_000_000_000;

  const port = await findFreePort();
  const gatewayDir = fileURLToPath(new URL('..', import.meta.url));
  // BENCH_GATEWAY_NODE_OPTIONS (e.g. --cpu-prof) lets a profile be taken of the gateway under load.
  const nodeOptions = benchEnv.BENCH_GATEWAY_NODE_OPTIONS.split(' ').filter((o) => o !== '');
  const base = `http://127.0.0.1:${port}`;
  gateway = await startProcess({
    name: 'gateway gw-bench',
    args: [...nodeOptions, '--import', 'tsx', 'src/main.ts'],
    cwd: gatewayDir,
    env: {
      PATH: benchEnv.PATH,
      DATABASE_URL: url.toString(),
      HOLDFAST_PORT: String(port),
      HOLDFAST_GATEWAY_ID: 'gw-bench',
      HOLDFAST_ENCRYPTION_KEYS: `b1:${Buffer.from(keyring.keys.get('b1') ?? []).toString('base64')}`,
      HOLDFAST_ACTIVE_KEY_ID: 'b1',
      HOLDFAST_DB_POOL_MAX: String(concurrency),
      HOLDFAST_CANARY_INTERVAL_MS: '5000',
    },
    ready: { url: `${base}/readyz` },
    readyTimeoutMs: 30_000,
    // Its errors show as they happen (as before, stdout is not shown); only the tail of its log is kept.
    onOutput: (chunk, stream) => {
      if (stream === 'stderr') process.stderr.write(chunk);
    },
    maxOutputChars: 64 * 1024,
  });

  const gatewayOutcomes = new Map<string, number>();
  const verifyOnce = async (worker: number): Promise<boolean> => {
    const users = workers[worker] ?? [];
    for (;;) {
      const step = timeStepAt({ at: new Date(), period: 1 });
      const user = users.find((u) => u.lastStep < step);
      if (user === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      user.lastStep = step;
      const code = await generateTotpCode({ secret: user.secret, params, at: new Date(step * 1000 + 1) });
      const response = await fetch(`${base}/trpc/verify.totp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ userId: user.userId, code, attemptId: randomUUID() }),
      });
      const body = (await response.json()) as { result?: { data?: { outcome?: string; reason?: string } }; error?: { data?: { holdfastCode?: string } } };
      const outcome =
        body.result?.data?.outcome === 'accepted' ? 'accepted' : (body.result?.data?.reason ?? body.error?.data?.holdfastCode ?? String(response.status));
      gatewayOutcomes.set(outcome, (gatewayOutcomes.get(outcome) ?? 0) + 1);
      return outcome === 'accepted';
    }
  };
  const floorOnce = async (worker: number): Promise<boolean> => {
    floorStep += 1;
    const result = await db.pool.query('UPDATE totp_factors SET last_step = $1 WHERE factor_id = $2 AND last_step < $1', [floorStep, floorIds[worker]]);
    return result.rowCount === 1;
  };

  console.log(`warming up (2 s)…`);
  await measure(concurrency, 2, verifyOnce);
  const summary = (results: RoundResult[]) => ({
    throughput: median(results.map((x) => x.throughput)),
    p50: median(results.map((x) => x.p50)),
    p99: median(results.map((x) => x.p99)),
    errors: results.reduce((sum, x) => sum + x.errors, 0),
    requests: results.reduce((sum, x) => sum + x.count, 0),
  });
  const fmt = (n: number) => n.toFixed(2).padStart(9);
  const report: unknown[] = [];
  let text = `\nTOTP verification benchmark — ${rounds} rounds × ${roundSeconds} s per level, floor and gateway alternating; medians of rounds\n`;
  for (const level of levels) {
    const floorRounds: RoundResult[] = [];
    const gatewayRounds: RoundResult[] = [];
    for (let r = 0; r < rounds; r += 1) {
      floorRounds.push(await measure(level, roundSeconds, floorOnce));
      gatewayRounds.push(await measure(level, roundSeconds, verifyOnce));
      console.log(
        `concurrency ${level}, round ${r + 1}/${rounds}: floor ${floorRounds.at(-1)?.throughput.toFixed(0)}/s, gateway ${gatewayRounds.at(-1)?.throughput.toFixed(0)}/s`,
      );
    }
    const floor = summary(floorRounds);
    const gw = summary(gatewayRounds);
    const ratio = gw.throughput / floor.throughput;
    report.push({ concurrency: level, floor, gateway: gw, ratio, floorRounds, gatewayRounds });
    text += `
concurrency ${level}                  req/s     p50 ms     p99 ms   errors   requests
floor (bare CAS UPDATE, pg) ${fmt(floor.throughput)} ${fmt(floor.p50)} ${fmt(floor.p99)} ${String(floor.errors).padStart(8)} ${String(floor.requests).padStart(10)}
gateway verify.totp (HTTP)  ${fmt(gw.throughput)} ${fmt(gw.p50)} ${fmt(gw.p99)} ${String(gw.errors).padStart(8)} ${String(gw.requests).padStart(10)}
ratio gateway/floor: throughput ${(ratio * 100).toFixed(1)} %, p50 ×${(gw.p50 / floor.p50).toFixed(1)}, p99 ×${(gw.p99 / floor.p99).toFixed(1)}
aims: gateway p99 ≤ 15 ms → ${gw.p99 <= 15 ? 'met' : 'NOT met'}; throughput ≥ 50 % of floor → ${ratio >= 0.5 ? 'met' : 'NOT met'}
`;
  }
  text += `gateway outcomes (all levels, warm-up included): ${[...gatewayOutcomes].map(([k, v]) => `${k} ${v}`).join(', ')}\n`;
  console.log(text);
  const outDir = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'verify-totp.json'), JSON.stringify({ at: new Date().toISOString(), roundSeconds, rounds, levels: report }, null, 2));
  await db.close();
} finally {
  await gateway?.stop();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
