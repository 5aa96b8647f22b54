// `npm run bench [-- --surge] [--users N] [--history N] [--soak SECONDS] [--cluster]`
//
// TOTP verification throughput and latency, measured in ONE run against floors measured on the
// same database at the same time, in alternating rounds so machine noise hits every target:
//   (a) the bare compare-and-set, (b) every row an accepted verification writes as ONE statement,
//   (c) a minimal node:http + pg reference server doing (b) per request, (d) the gateway,
//   (e) the same gateway with its audit sealer off (issue 12: what sealing costs; sealing.ts).
// (d)/(b) says how much of the database's capacity the gateway turns into verifications, (d)/(c)
// what the gateway costs beyond the least a server must do. How to read it: ARCHITECTURE.md, "The benchmark".
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseKeyring } from '@holdfast/core';
import { createApplication, createDatabase, migrateDatabase, parseApiKey, startEmbeddedPostgres } from '@holdfast/db';
import { findFreePort } from '@holdfast/db/testing';
import pg from 'pg';
import { setUpCluster } from './cluster';
import type { BenchSetup } from './setup';
import { benchEnv } from './env';
import { createHttpClient, type HttpClient } from './http-client';
import { createMachineCpuMeter } from './machine-cpu';
import { closedLoop, openLoop, sampledClosedLoop, type Outcome, type RoundResult } from './load';
import {
  formatMemory,
  gatewayDir,
  signalTree,
  startGateway,
  startReferenceServer,
  cpuSecondsBetween,
  treeCpuSeconds,
  treeRss,
  type ProcessMemory,
} from './processes';
import { levelTable, machine, medianCpu, sealingTargetChecks, summarize, targetChecks, type CpuPerRequest, type LevelReport, type Summary } from './report';
import { createGatewaySwitch, readAuditMark, sealStatsSince, type SealCatchUp, type SealingReport } from './sealing';
import { fillHistory, seedFloorRows, seedUsers } from './seed';
import { floorTargets, httpTarget, openTarget, type TargetName } from './targets';
import { assertCodesAgree, randomPicker, slicePicker, type Credential } from './users';

const { values: options } = parseArgs({
  options: {
    surge: { type: 'boolean', default: false },
    users: { type: 'string' },
    history: { type: 'string' },
    soak: { type: 'string' },
    cluster: { type: 'boolean', default: false },
  },
});
const positiveInt = (value: string | undefined, name: string): number | null => {
  if (value === undefined) return null;
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive integer`);
  return parsed;
};
const extraUsers = positiveInt(options.users, 'users');
const historyRows = positiveInt(options.history, 'history');
const soakSeconds = positiveInt(options.soak, 'soak');

const levels = benchEnv.BENCH_CONCURRENCY.split(',').map(Number);
const maxConcurrency = Math.max(...levels);
const roundSeconds = benchEnv.BENCH_ROUND_SECONDS;
const rounds = benchEnv.BENCH_ROUNDS;
const repoRoot = path.resolve(gatewayDir, '../..');
const log = (line: string): void => {
  console.log(`[bench] ${line}`);
};

const gatewayPid = (setup: BenchSetup): number => ('pid' in setup.gateway ? setup.gateway.pid : setup.gateway.process.pid);

async function setUpEmbedded(): Promise<BenchSetup> {
  const dir = await mkdtemp(path.join(tmpdir(), 'holdfast-bench-'));
  await chmod(dir, 0o755);
  const stops: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse())
      await s().catch((error: unknown) => {
        console.error(error);
      });
  };
  try {
    // Not a throwaway server: fsync stays on, as in production.
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort() });
    stops.push(() => server.stop());
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    const url = new URL(server.url);
    url.pathname = '/bench';
    const db = createDatabase({ url: url.toString(), poolMax: 2 });
    await migrateDatabase({ pool: db.pool });
    const { applicationId, apiKey } = await createApplication({ prisma: db.prisma, name: 'bench' });
    await db.close();
    const pool = new pg.Pool({ connectionString: url.toString(), max: maxConcurrency });
    // An idle client's connection dropping (the server stopping at the end) must not end the run.
    pool.on('error', (error) => {
      log(`database pool: ${error.message}`);
    });
    stops.push(() => pool.end());
    const keyMaterial = randomBytes(32).toString('base64');
    const keys = `b1:${keyMaterial}`;
    const keyring = parseKeyring({ keys, activeKeyId: 'b1' });

    const seedStarted = performance.now();
    const users = await seedUsers({ pool, applicationId, keyring, prefix: 'u', count: benchEnv.BENCH_BASE_USERS });
    log(`seeded ${users.count} users with TOTP factors (COPY) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    const floorFactorIds = await seedFloorRows(pool, applicationId, maxConcurrency);
    // postmaster.pid's first line is the server's process id (its backends are its children).
    const postgresPid = Number((await readFile(path.join(dir, 'data', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const settings = await pool.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'server_version')",
    );

    const parsedKey = parseApiKey(apiKey);
    if (parsedKey === null) throw new Error('createApplication returned an API key of an unknown format');
    const reference = await startReferenceServer({
      REFERENCE_DATABASE_URL: url.toString(),
      REFERENCE_POOL_MAX: String(maxConcurrency),
      REFERENCE_APPLICATION_ID: applicationId,
      REFERENCE_KEY_ID: parsedKey.keyId,
      REFERENCE_SECRET_HASH: createHash('sha256').update(parsedKey.secret, 'utf8').digest('hex'),
      REFERENCE_ENCRYPTION_KEYS: keys,
      REFERENCE_ACTIVE_KEY_ID: 'b1',
    });
    stops.push(() => reference.process.stop());
    // (d) seals at the default interval; (e) is the same gateway with its sealer off. A paused
    // gateway (sealing.ts) acts on SIGTERM only once resumed, so each is resumed before it is stopped.
    const gateway = await startGateway({ databaseUrl: url.toString(), keys, activeKeyId: 'b1', poolMax: maxConcurrency, auditDir: path.join(dir, 'audit') });
    stops.push(() => {
      signalTree(gateway.process.pid, 'SIGCONT');
      return gateway.process.stop();
    });
    const gatewaySealOff = await startGateway({
      databaseUrl: url.toString(),
      keys,
      activeKeyId: 'b1',
      poolMax: maxConcurrency,
      gatewayId: 'gw-bench-seal-off',
      auditDir: path.join(dir, 'audit'),
      env: { HOLDFAST_AUDIT_SEAL_INTERVAL_MS: '0' },
    });
    stops.push(() => {
      signalTree(gatewaySealOff.process.pid, 'SIGCONT');
      return gatewaySealOff.process.stop();
    });
    return {
      label: 'embedded Postgres (fsync on)',
      pool,
      applicationId,
      apiKey,
      keyring,
      users,
      floorFactorIds,
      gateway,
      reference,
      gatewaySealOff,
      postgresPid: Number.isSafeInteger(postgresPid) && postgresPid > 0 ? postgresPid : null,
      conditions: {
        ...Object.fromEntries(settings.rows.map((r) => [`postgres ${r.name}`, r.setting])),
        'gateway started as': gateway.how,
        'gateway pool per worker': maxConcurrency,
        'gateway workers (HOLDFAST_GATEWAY_WORKERS)': benchEnv.BENCH_GATEWAY_WORKERS === '' ? 'default' : benchEnv.BENCH_GATEWAY_WORKERS,
        'reference pool': maxConcurrency,
        ...(benchEnv.BENCH_GATEWAY_ENV === '' ? {} : { 'gateway settings (BENCH_GATEWAY_ENV)': benchEnv.BENCH_GATEWAY_ENV }),
        '(d) audit sealer': 'every 1000 ms (HOLDFAST_AUDIT_SEAL_INTERVAL_MS default)',
        '(e) audit sealer': 'off (HOLDFAST_AUDIT_SEAL_INTERVAL_MS=0); each of (d)/(e) paused (SIGSTOP) while the other is measured',
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Samples the gateway's memory every second while `work` runs; returns the largest total seen. */
async function withRssSampling<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; peak: ProcessMemory | null }> {
  let peak: ProcessMemory | null = null;
  const sample = (): void => {
    const m = treeRss(pid);
    if (m.perProcess.length > 0 && (peak === null || m.totalMb > peak.totalMb)) peak = m;
  };
  const timer = setInterval(sample, 1000);
  try {
    const value = await work();
    sample();
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}

type Once = (worker: number) => Promise<Outcome>;

/** The process tree serving `name` (none for the floors, which this process runs itself). */
function serverPidOf(setup: BenchSetup, name: TargetName): number | null {
  const server = name === 'reference' ? setup.reference : name === 'gateway' ? setup.gateway : name === 'gatewaySealOff' ? setup.gatewaySealOff : null;
  if (server === null) return null;
  return 'pid' in server ? server.pid : server.process.pid;
}

interface CpuReading {
  server: Map<number, number> | null;
  postgres: Map<number, number> | null;
  generator: number;
}

const cpuReading = (setup: BenchSetup, serverPid: number | null): CpuReading => {
  const own = process.cpuUsage();
  return {
    server: serverPid === null ? null : treeCpuSeconds(serverPid),
    postgres: setup.postgresPid === null ? null : treeCpuSeconds(setup.postgresPid),
    generator: (own.user + own.system) / 1e6,
  };
};

/** Every process on the machine, by group, round by round (machine-cpu.ts). */
const machineCpu = createMachineCpuMeter();

function cpuPerRequest(before: CpuReading, after: CpuReading, requests: number, machine: CpuPerRequest['machine']): CpuPerRequest {
  const perRequest = (seconds: number | null): number | null => (seconds === null || requests === 0 ? null : (seconds * 1e6) / requests);
  const tree = (a: Map<number, number> | null, b: Map<number, number> | null): number | null => (a === null || b === null ? null : cpuSecondsBetween(a, b));
  return {
    server: perRequest(tree(before.server, after.server)),
    postgres: perRequest(tree(before.postgres, after.postgres)),
    generator: perRequest(after.generator - before.generator) ?? Number.NaN,
    machine,
  };
}

/** The default comparison: every level, `rounds` rounds, each round every target once in turn. */
async function compare(
  setup: BenchSetup,
  clients: { gateway: HttpClient; reference: HttpClient | null; gatewaySealOff: HttpClient | null },
  gatewaySwitch: ReturnType<typeof createGatewaySwitch> | null,
): Promise<LevelReport[]> {
  const floors = floorTargets({ pool: setup.pool, applicationId: setup.applicationId, floorFactorIds: setup.floorFactorIds });
  const reports: LevelReport[] = [];
  // (e) runs alone: (d) (and its sealer) paused; every other target with (d) running and caught up.
  const switchFor = (name: TargetName): Promise<SealCatchUp | null> =>
    gatewaySwitch?.use(name === 'gatewaySealOff' ? 'sealOff' : 'sealing') ?? Promise.resolve(null);
  for (const [levelIndex, level] of levels.entries()) {
    // One picker per level, shared by (c), (d) and (e): no user's code is sent twice, by any.
    const targetsFor = (pick: (worker: number) => Promise<Credential>): [TargetName, Once][] => [
      ['cas', floors.cas],
      ['durable', floors.durable],
      ...(clients.reference === null ? [] : [['reference', httpTarget(clients.reference, setup.apiKey, pick)] as [TargetName, Once]]),
      ['gateway', httpTarget(clients.gateway, setup.apiKey, pick)],
      ...(clients.gatewaySealOff === null ? [] : [['gatewaySealOff', httpTarget(clients.gatewaySealOff, setup.apiKey, pick)] as [TargetName, Once]]),
    ];
    const targets = targetsFor(slicePicker(setup.users, level));
    if (levelIndex === 0 && benchEnv.BENCH_WARMUP_SECONDS > 0) {
      log(`warming up every target (${benchEnv.BENCH_WARMUP_SECONDS} s each at c=${maxConcurrency})…`);
      for (const [name, once] of targetsFor(slicePicker(setup.users, maxConcurrency))) {
        await switchFor(name);
        await closedLoop(maxConcurrency, benchEnv.BENCH_WARMUP_SECONDS, once);
      }
    }
    const results = new Map<TargetName, RoundResult[]>();
    const cpu = new Map<TargetName, CpuPerRequest[]>();
    let gatewayRss: ProcessMemory | null = null;
    const sealing: SealingReport = { on: [], off: [], catchUps: [] };
    const recordSwitch = async (name: TargetName): Promise<void> => {
      const catchUp = await switchFor(name);
      if (catchUp !== null) sealing.catchUps.push(catchUp);
    };
    for (let round = 0; round < rounds; round += 1) {
      const line: string[] = [];
      for (const [name, once] of targets) {
        await recordSwitch(name);
        const isGateway = gatewaySwitch !== null && (name === 'gateway' || name === 'gatewaySealOff');
        const mark = isGateway ? await readAuditMark(setup.pool) : null;
        const serverPid = serverPidOf(setup, name);
        const cpuBefore = cpuReading(setup, serverPid);
        await machineCpu.start(new Set(cpuBefore.server?.keys() ?? []));
        const sampled =
          name === 'gateway'
            ? await withRssSampling(gatewayPid(setup), () => closedLoop(level, roundSeconds, once))
            : { value: await closedLoop(level, roundSeconds, once), peak: null };
        const { value: result, peak } = sampled;
        const cpuAfter = cpuReading(setup, serverPid);
        cpu.set(name, [...(cpu.get(name) ?? []), cpuPerRequest(cpuBefore, cpuAfter, result.count, await machineCpu.stop(result.count))]);
        const stats = mark === null ? null : await sealStatsSince(setup.pool, mark);
        if (stats !== null) (name === 'gateway' ? sealing.on : sealing.off).push(stats);
        if (peak !== null && (gatewayRss === null || peak.totalMb > gatewayRss.totalMb)) gatewayRss = peak;
        results.set(name, [...(results.get(name) ?? []), result]);
        const sealed = stats === null ? '' : ` [${stats.leavesSealed} sealed / ${stats.rowsWritten} rows, lag ${(stats.lagMsAtEnd / 1000).toFixed(1)} s]`;
        line.push(`${name} ${result.throughput.toFixed(0)}/s${result.errors > 0 ? ` (${result.errors} errors)` : ''}${sealed}`);
      }
      log(`c=${level} round ${round + 1}/${rounds}: ${line.join(', ')}`);
    }
    // The scale, surge and soak runs that follow measure (d): running, its backlog sealed.
    await recordSwitch('gateway');
    const summaries: Partial<Record<TargetName, Summary>> = {};
    for (const [name, list] of results) summaries[name] = summarize(list);
    const cpuMedians: Partial<Record<TargetName, CpuPerRequest>> = {};
    for (const [name, list] of cpu) cpuMedians[name] = medianCpu(list);
    reports.push({ concurrency: level, targets: summaries, gatewayRss, sealing: gatewaySwitch === null ? null : sealing, cpu: cpuMedians });
  }
  return reports;
}

/** `--surge`: open-loop load at BENCH_SURGE_FACTOR × capacity (or a fixed BENCH_SURGE_RATE), then how long until throughput is back. */
async function surge(setup: BenchSetup, capacity: number): Promise<Record<string, unknown>> {
  const rate = benchEnv.BENCH_SURGE_RATE ?? Math.round(capacity * benchEnv.BENCH_SURGE_FACTOR);
  const seconds = benchEnv.BENCH_SURGE_SECONDS;
  const bucketMs = 500;
  const pid = gatewayPid(setup);
  // Many sockets so the gateway, not this client, decides what waits: bounded all the same.
  const surgeSockets = 512;
  const client = createHttpClient(setup.gateway.url, surgeSockets);
  const closed = createHttpClient(setup.gateway.url, maxConcurrency);
  try {
    const before = treeRss(pid);
    log(
      `surge: ${rate}/s (${(rate / capacity).toFixed(2)}× capacity ${capacity.toFixed(0)}/s) for ${seconds} s, open loop, at most ${rate * seconds} requests…`,
    );
    const rssDuring: number[] = [];
    let peakDuring: ProcessMemory = before;
    let nextSample = 0;
    // The client's connections are opened before the surge: relying apps' SDK clients keep theirs
    // alive. Opened during it (BENCH_SURGE_COLD=1), the first 5 s's admitted p99 was 858 ms in one
    // run (the cluster primary hands each new connection to a worker), the rest 41–68 ms.
    const isCold = benchEnv.BENCH_SURGE_COLD === '1';
    if (!isCold) await Promise.all(Array.from({ length: surgeSockets }, () => client.post('/healthz', {}, '', 10_000).catch(() => null)));
    const started = performance.now();
    const result = await openLoop({
      rate,
      seconds,
      bucketMs,
      send: openTarget(client, setup.apiKey, randomPicker(setup.users), benchEnv.BENCH_SURGE_TIMEOUT_MS),
      onTick: (elapsed) => {
        if (elapsed < nextSample) return;
        nextSample = elapsed + bucketMs;
        const m = treeRss(pid);
        rssDuring.push(Math.round(m.totalMb));
        if (m.totalMb > peakDuring.totalMb) peakDuring = m;
      },
    });
    const drainedMs = performance.now() - started - seconds * 1000;
    // Straight after: the normal closed-loop load, sampled per 500 ms, until it is back to 90 % of capacity.
    const after = await sampledClosedLoop(maxConcurrency, 10, bucketMs, httpTarget(closed, setup.apiKey, slicePicker(setup.users, maxConcurrency)));
    const threshold = 0.9 * capacity * (bucketMs / 1000);
    const firstGood = after.okPerBucket.findIndex((ok) => ok >= threshold);
    const recoveryMs = firstGood === -1 ? null : drainedMs + (firstGood + 1) * bucketMs;
    const afterRss = treeRss(pid);
    const report = {
      rate,
      seconds,
      connections: isCold ? 'opened during the surge' : 'opened before the surge',
      capacity,
      ...result,
      drainedMs,
      recoveryMs,
      afterPerBucket: after.okPerBucket.map((ok) => Math.round(ok / (bucketMs / 1000))),
      rssMb: {
        before: before.totalMb,
        peakDuring: peakDuring.totalMb,
        after: afterRss.totalMb,
        samplesDuring: rssDuring,
        perProcessPeak: peakDuring.perProcess,
      },
    };
    const okRate = result.okPerBucket.map((ok) => Math.round(ok / (bucketMs / 1000)));
    console.log(`
Surge — ${rate}/s for ${seconds} s (open loop, ${(rate / capacity).toFixed(2)}× the c=${maxConcurrency} capacity of ${capacity.toFixed(0)}/s), per-request timeout ${benchEnv.BENCH_SURGE_TIMEOUT_MS} ms, ${isCold ? `${surgeSockets} connections opened during the surge (BENCH_SURGE_COLD=1)` : `${surgeSockets} keep-alive connections opened before it`}
  sent ${result.sent}; admitted ${result.admitted} (accepted ${result.admittedOk}), p50 ${result.admittedP50.toFixed(1)} ms, p99 ${result.admittedP99.toFixed(1)} ms (from the scheduled send time)
  admitted p99 per 5 s (by when each was due), ms: ${result.admittedP99Per5s.map((ms) => ms.toFixed(0)).join(' ')}
  admitted answers: ${Object.entries(result.admittedByKind)
    .map(([k, c]) => `${k} ${c}`)
    .join(', ')}
  refused ${result.refused} (${
    Object.entries(result.refusedByStatus)
      .map(([s, c]) => `${s}: ${c}`)
      .join(', ') || 'none'
  }), with Retry-After ${result.refusedWithRetryAfter}, refusal p99 ${result.refusedP99.toFixed(1)} ms
  errors ${result.errors}, timeouts ${result.timeouts}; last answers ${drainedMs.toFixed(0)} ms after the surge ended
  the load generator's own lateness (same cores): requests handed to a socket p50 ${result.sendLateP50.toFixed(1)} / p99 ${result.sendLateP99.toFixed(1)} ms after due; its event-loop delay p99 ${result.loopDelayP99.toFixed(1)} ms
  accepted/s per 500 ms during: ${okRate.join(' ')}
  accepted/s per 500 ms after (closed loop c=${maxConcurrency}): ${report.afterPerBucket.join(' ')}
  recovery to 90 % of capacity: ${recoveryMs === null ? 'NOT within 10 s' : `${(recoveryMs / 1000).toFixed(1)} s`} after the surge
  gateway RSS: before ${before.totalMb.toFixed(0)} MB, peak during ${formatMemory(peakDuring)}, after ${afterRss.totalMb.toFixed(0)} MB
  targets: admitted p99 ≤ 50 ms → ${result.admittedP99 <= 50 ? 'met' : 'NOT met'}; recovery ≤ 5 s → ${recoveryMs !== null && recoveryMs <= 5000 ? 'met' : 'NOT met'}; errors+timeouts 0 → ${result.errors + result.timeouts === 0 ? 'met' : 'NOT met'}`);
    return report;
  } finally {
    client.close();
    closed.close();
  }
}

/** Alternating c=max rounds of (d) on two user sets (or before/after a change): the comparison the scale options print. */
async function gatewayRounds(setup: BenchSetup, client: HttpClient, sets: { name: string; once: Once }[]): Promise<Record<string, Summary>> {
  const results: Record<string, RoundResult[]> = {};
  for (const set of sets) await closedLoop(maxConcurrency, Math.min(2, benchEnv.BENCH_WARMUP_SECONDS), set.once);
  for (let round = 0; round < rounds; round += 1) {
    for (const set of sets) (results[set.name] ??= []).push(await closedLoop(maxConcurrency, roundSeconds, set.once));
    log(`scale round ${round + 1}/${rounds}: ${sets.map((s) => `${s.name} ${results[s.name]?.at(-1)?.throughput.toFixed(0)}/s`).join(', ')}`);
  }
  return Object.fromEntries(Object.entries(results).map(([name, list]) => [name, summarize(list)]));
}

const fmtSummary = (name: string, s: Summary | undefined): string =>
  s === undefined
    ? `${name}: –`
    : `${name.padEnd(34)} ${s.throughput.toFixed(0).padStart(7)}/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  errors ${s.errors}`;

const startedAt = new Date();
const machineBefore = machine();
log(`machine: ${machineBefore.cores} cores (${machineBefore.cpu}), load average ${machineBefore.loadAverage.join(' ')}, node ${machineBefore.node}`);
const setup = options.cluster ? await setUpCluster({ maxConcurrency, log }) : await setUpEmbedded();
const gatewayClient = createHttpClient(setup.gateway.url, maxConcurrency);
const referenceClient = setup.reference === null ? null : createHttpClient(setup.reference.url, maxConcurrency);
const sealOffClient = setup.gatewaySealOff === null ? null : createHttpClient(setup.gatewaySealOff.url, maxConcurrency);
const gatewaySwitch =
  setup.gatewaySealOff === null
    ? null
    : createGatewaySwitch({
        pool: setup.pool,
        sealing: { pid: gatewayPid(setup) },
        sealOff: setup.gatewaySealOff,
        // close() ends the client's connections; it opens new ones for the next request.
        onResume: (which) => {
          (which === 'sealing' ? gatewayClient : sealOffClient)?.close();
        },
        log,
      });
const json: Record<string, unknown> = {
  at: startedAt.toISOString(),
  argv: process.argv.slice(2),
  machine: machineBefore,
  setup: setup.label,
  conditions: { ...setup.conditions, roundSeconds, rounds, levels, baseUsers: setup.users.count },
};
try {
  await assertCodesAgree(setup.users);
  log(`gateway ${setup.gateway.url} (${setup.gateway.how}), pid ${gatewayPid(setup)}: ${formatMemory(treeRss(gatewayPid(setup)))} at idle`);
  const idleRss = treeRss(gatewayPid(setup));
  const levelReports = await compare(setup, { gateway: gatewayClient, reference: referenceClient, gatewaySealOff: sealOffClient }, gatewaySwitch);
  const machineAfter = machine();
  let text = `\nTOTP verification — ${setup.label}; ${rounds} rounds × ${roundSeconds} s per target and level, targets alternating; medians of rounds\n`;
  text += `machine: ${machineBefore.cores} cores, ${machineBefore.cpu}; load average before ${machineBefore.loadAverage.join(' ')}, after ${machineAfter.loadAverage.join(' ')}; node ${machineBefore.node}\n`;
  text += `conditions: ${Object.entries(setup.conditions)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ')}; ${setup.users.count} users; load generator: keep-alive raw-socket HTTP/1.1 client (bench/http-client.ts), closed loop\n`;
  text += `gateway RSS at idle: ${formatMemory(idleRss)}\n\n`;
  text += levelReports.map(levelTable).join('\n\n');
  text += `\n\ntargets (issue 9):\n${targetChecks(levelReports, options.cluster)
    .map((l) => `  ${l}`)
    .join('\n')}\n`;
  const sealingChecks = sealingTargetChecks(levelReports);
  if (sealingChecks.length > 0) text += `targets (issue 12):\n${sealingChecks.map((l) => `  ${l}`).join('\n')}\n`;
  console.log(text);
  json.levels = levelReports;
  json.idleRss = idleRss;
  json.machineAfter = machineAfter;
  const capacity = levelReports.find((l) => l.concurrency === maxConcurrency)?.targets.gateway?.throughput ?? Number.NaN;

  if (historyRows !== null) {
    const without = await gatewayRounds(setup, gatewayClient, [
      { name: 'gateway, history empty', once: httpTarget(gatewayClient, setup.apiKey, slicePicker(setup.users, maxConcurrency)) },
    ]);
    const fillStarted = performance.now();
    log(`filling history: ${historyRows} attempt rows and ${historyRows} audit rows over 90 days…`);
    await fillHistory({
      pool: setup.pool,
      applicationId: setup.applicationId,
      rows: historyRows,
      onProgress: (done) => {
        log(`history ${done}/${historyRows}`);
      },
    });
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const withHistory = await gatewayRounds(setup, gatewayClient, [
      { name: `gateway, ${historyRows} history rows`, once: httpTarget(gatewayClient, setup.apiKey, slicePicker(setup.users, maxConcurrency)) },
    ]);
    const a = Object.values(without)[0];
    const b = Object.values(withHistory)[0];
    const ratio = a !== undefined && b !== undefined ? b.throughput / a.throughput : Number.NaN;
    console.log(
      `\nHistory (c=${maxConcurrency}; filled in ${fillSeconds.toFixed(1)} s)\n  ${fmtSummary(Object.keys(without)[0] ?? '', a)}\n  ${fmtSummary(Object.keys(withHistory)[0] ?? '', b)}\n  with/without: ${(ratio * 100).toFixed(1)} %`,
    );
    json.history = { rows: historyRows, fillSeconds, without, withHistory, ratio };
  }

  if (extraUsers !== null) {
    const seedStarted = performance.now();
    log(`seeding ${extraUsers} more users (COPY, batches of 20,000)…`);
    const big = await seedUsers({
      pool: setup.pool,
      applicationId: setup.applicationId,
      keyring: setup.keyring,
      prefix: 'm',
      count: extraUsers,
      onProgress: (done) => {
        if (done % 200_000 === 0 || done === extraUsers) log(`seeded ${done}/${extraUsers}`);
      },
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    log(`seeded ${extraUsers} users in ${seedSeconds.toFixed(1)} s`);
    const base = `gateway, random of ${setup.users.count} users`;
    const many = `gateway, random of ${extraUsers} users`;
    const scale = await gatewayRounds(setup, gatewayClient, [
      { name: base, once: httpTarget(gatewayClient, setup.apiKey, randomPicker(setup.users)) },
      { name: many, once: httpTarget(gatewayClient, setup.apiKey, randomPicker(big)) },
    ]);
    const ratio = (scale[many]?.throughput ?? Number.NaN) / (scale[base]?.throughput ?? Number.NaN);
    console.log(
      `\nScale (c=${maxConcurrency}; ${extraUsers} users seeded in ${seedSeconds.toFixed(1)} s)\n  ${fmtSummary(base, scale[base])}\n  ${fmtSummary(many, scale[many])}\n  ${extraUsers}/${setup.users.count} users: ${(ratio * 100).toFixed(1)} % → within 10 %: ${Math.abs(1 - ratio) <= 0.1 ? 'met' : 'NOT met'}`,
    );
    json.users = { count: extraUsers, seedSeconds, rounds: scale, ratio };
  }

  if (options.surge) {
    json.surge = await surge(setup, capacity);
  }

  if (soakSeconds !== null) {
    log(`soak: c=${maxConcurrency} for ${soakSeconds} s, gateway RSS every 10 s`);
    const samples: { atSeconds: number; throughput: number; p99: number; errors: number; rss: ProcessMemory }[] = [];
    const once = httpTarget(gatewayClient, setup.apiKey, slicePicker(setup.users, maxConcurrency));
    const chunks = Math.ceil(soakSeconds / 10);
    for (let i = 0; i < chunks; i += 1) {
      const result = await closedLoop(maxConcurrency, Math.min(10, soakSeconds - i * 10), once);
      const rss = treeRss(gatewayPid(setup));
      samples.push({ atSeconds: Math.min(soakSeconds, (i + 1) * 10), throughput: result.throughput, p99: result.p99, errors: result.errors, rss });
      log(
        `soak ${Math.min(soakSeconds, (i + 1) * 10)} s: ${result.throughput.toFixed(0)}/s, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}, RSS ${formatMemory(rss)}`,
      );
    }
    const first = samples[0]?.rss.totalMb ?? Number.NaN;
    const last = samples.at(-1)?.rss.totalMb ?? Number.NaN;
    console.log(`\nSoak: RSS ${first.toFixed(0)} MB after 10 s → ${last.toFixed(0)} MB after ${soakSeconds} s (${(last - first).toFixed(0)} MB)`);
    json.soak = { seconds: soakSeconds, samples };
  }

  const outFile = path.resolve(repoRoot, benchEnv.BENCH_OUTPUT);
  await mkdir(path.dirname(outFile), { recursive: true });
  await writeFile(outFile, JSON.stringify(json, null, 2));
  log(`results written to ${path.relative(repoRoot, outFile)}`);
} finally {
  gatewaySwitch?.resumeAll();
  gatewayClient.close();
  referenceClient?.close();
  sealOffClient?.close();
  await setup.stop();
}
