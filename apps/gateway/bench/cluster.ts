// `--cluster`: the same floors and gateway, against the three-region cluster (Patroni with
// synchronous replication, HAProxy in front) that `npm run cluster` runs. The gateway layer may
// not import @holdfast/cluster (tooling/eslint/layers.js), so this reads the cluster's layout the
// way an operator would: its default ports (apps/cluster/src/config.ts: HAProxy 6440+n, gateways
// 4100+10n+g, plus HOLDFAST_CLUSTER_PORT_OFFSET) and the files `cluster up` writes in its
// directory (state.json, database-roles.json, encryption-key.json). A cluster already up is
// reused and left running; one this run started is stopped with `npm run cluster:down`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseKeyring } from '@holdfast/core';
import { createApplication, createDatabase } from '@holdfast/db';
import { runToExit } from '@holdfast/process';
import pg from 'pg';
import { benchEnv } from './env';
import { gatewayDir } from './processes';
import { seedFloorRows, seedUsers } from './seed';
import type { BenchSetup } from './setup';

const repoRoot = path.resolve(gatewayDir, '../..');

async function isAnswering(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

export async function setUpCluster(options: { maxConcurrency: number; log: (line: string) => void }): Promise<BenchSetup> {
  const offset = benchEnv.HOLDFAST_CLUSTER_PORT_OFFSET;
  const dir = path.resolve(repoRoot, benchEnv.HOLDFAST_CLUSTER_DIR);
  const haproxyPort = offset + 6441;
  const gatewayName = 'gw-r1-1';
  const gatewayUrl = `http://127.0.0.1:${offset + 4111}`;
  const npmEnv = { PATH: benchEnv.PATH, HOLDFAST_CLUSTER_PORT_OFFSET: String(offset), HOLDFAST_CLUSTER_DIR: dir };
  let isStartedHere = false;
  if (!(await isAnswering(`${gatewayUrl}/readyz`))) {
    options.log('no cluster answering: starting one with `npm run cluster` (etcd, Patroni, HAProxy, gateways; about a minute)…');
    const code = await runToExit({ command: 'npm', args: ['run', 'cluster'], cwd: repoRoot, env: npmEnv });
    isStartedHere = true;
    if (code !== 0) {
      await runToExit({ command: 'npm', args: ['run', 'cluster:down'], cwd: repoRoot, env: npmEnv });
      throw new Error(`npm run cluster exited with ${code}`);
    }
  } else {
    options.log(`reusing the cluster that is up (${gatewayUrl} ready); it is left running`);
  }
  const stops: (() => Promise<unknown>)[] = [];
  if (isStartedHere) stops.push(() => runToExit({ command: 'npm', args: ['run', 'cluster:down'], cwd: repoRoot, env: npmEnv }));
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse())
      await s().catch((error: unknown) => {
        console.error(error);
      });
  };
  try {
    const roles = await readJson<{ migrator: string }>(path.join(dir, 'database-roles.json'));
    const keys = await readJson<{ keys: string; activeKeyId: string }>(path.join(dir, 'encryption-key.json'));
    const state = existsSync(path.join(dir, 'state.json'))
      ? await readJson<{ processes: { name: string; pid: number }[] }>(path.join(dir, 'state.json'))
      : { processes: [] };
    const gatewayPid = state.processes.find((p) => p.name === gatewayName)?.pid;
    if (gatewayPid === undefined) throw new Error(`${gatewayName} is not in ${path.join(dir, 'state.json')}`);
    // The migrator owns the tables (the floors write them directly, through HAProxy like the gateways).
    const url = `postgresql://holdfast_migrator:${encodeURIComponent(roles.migrator)}@127.0.0.1:${haproxyPort}/holdfast`;
    const db = createDatabase({ url, poolMax: 2 });
    const { applicationId, apiKey } = await createApplication({ prisma: db.prisma, name: `bench ${new Date().toISOString()}` });
    await db.close();
    const pool = new pg.Pool({ connectionString: url, max: options.maxConcurrency });
    // A failover drops idle connections: logged, never fatal to the run.
    pool.on('error', (error) => {
      options.log(`database pool: ${error.message}`);
    });
    stops.push(() => pool.end());
    const keyring = parseKeyring(keys);
    const seedStarted = performance.now();
    // Each run seeds its own application's users (external ids are per application).
    const users = await seedUsers({ pool, applicationId, keyring, prefix: 'u', count: benchEnv.BENCH_BASE_USERS });
    options.log(`seeded ${users.count} users through HAProxy in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
    const floorFactorIds = await seedFloorRows(pool, applicationId, options.maxConcurrency);
    const settings = await pool.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'synchronous_standby_names', 'server_version')",
    );
    return {
      label: `three-region cluster through HAProxy :${haproxyPort} (synchronous replication)`,
      pool,
      applicationId,
      apiKey,
      keyring,
      users,
      floorFactorIds,
      gateway: { url: gatewayUrl, pid: gatewayPid, how: `the cluster's ${gatewayName} (started by npm run cluster)` },
      reference: null,
      gatewaySealOff: null,
      postgresPid: null,
      conditions: {
        ...Object.fromEntries(settings.rows.map((r) => [`postgres ${r.name}`, r.setting])),
        'cluster started by this run': String(isStartedHere),
        gateway: `${gatewayName} (cluster's own settings: pool, flood shield)`,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
