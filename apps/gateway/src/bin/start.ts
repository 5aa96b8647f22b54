// `npm start`: the whole platform with zero setup. Without DATABASE_URL it runs an embedded
// Postgres (data in .holdfast/, git-ignored), generates a local encryption key, migrates, seeds a
// demo application and prints its API key with a ready-to-paste call.
import { createApplication, createDatabase, startEmbeddedPostgres } from '@holdfast/db';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readGatewayEnv, readStartEnv } from '../env';
import { runGateway } from '../run-gateway';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const startEnv = readStartEnv();
const stateDir = path.resolve(repoRoot, startEnv.HOLDFAST_STATE_DIR ?? '.holdfast');
// 0711: as root, Postgres runs as the `postgres` user and must traverse into pgdata; files stay 0600.
await mkdir(stateDir, { recursive: true, mode: 0o711 });
await chmod(stateDir, 0o711);

async function readOrCreateJson<T>(file: string, create: () => Promise<T> | T): Promise<T> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as T;
  const value = await create();
  await writeFile(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  return value;
}

let stopEmbedded: (() => Promise<void>) | null = null;
let databaseUrl = startEnv.DATABASE_URL;
if (databaseUrl === undefined || databaseUrl === '') {
  console.log(`no DATABASE_URL: starting an embedded Postgres (data in ${path.join(stateDir, 'pgdata')})`);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(stateDir, 'pgdata'), port: startEnv.HOLDFAST_EMBEDDED_PG_PORT });
  const url = new URL(embedded.url);
  url.pathname = '/holdfast';
  const admin = createDatabase({ url: embedded.url, poolMax: 1 });
  const exists = await admin.pool.query("SELECT 1 FROM pg_database WHERE datname = 'holdfast'");
  if (exists.rowCount === 0) await admin.pool.query('CREATE DATABASE holdfast');
  await admin.close();
  databaseUrl = url.toString();
  stopEmbedded = embedded.stop;
}

let keys = { keys: startEnv.HOLDFAST_ENCRYPTION_KEYS, activeKeyId: startEnv.HOLDFAST_ACTIVE_KEY_ID };
if (keys.keys === undefined || keys.activeKeyId === undefined) {
  // A development key, kept on this machine only. Production sets HOLDFAST_ENCRYPTION_KEYS.
  const local = await readOrCreateJson(path.join(stateDir, 'dev-encryption-key.json'), () => ({
    activeKeyId: 'dev1',
    keys: `dev1:${randomBytes(32).toString('base64')}`,
  }));
  keys = local;
  console.log(`using the local development encryption key in ${path.join(stateDir, 'dev-encryption-key.json')}`);
}

const env = readGatewayEnv({
  ...process.env,
  DATABASE_URL: databaseUrl,
  HOLDFAST_ENCRYPTION_KEYS: keys.keys,
  HOLDFAST_ACTIVE_KEY_ID: keys.activeKeyId,
});
const gateway = await runGateway(env);

// The demo application's key is kept locally so restarts print the same, still-valid key.
const db = createDatabase({ url: env.DATABASE_URL, poolMax: 1 });
const demoFile = path.join(stateDir, 'demo-application.json');
let demo = existsSync(demoFile) ? (JSON.parse(await readFile(demoFile, 'utf8')) as { applicationId: string; apiKey: string }) : null;
if (demo === null || (await db.prisma.application.count({ where: { id: demo.applicationId } })) === 0) {
  demo = await createApplication({ prisma: db.prisma, name: 'Demo application' });
  await writeFile(demoFile, JSON.stringify(demo, null, 2), { mode: 0o600 });
}
await db.close();

const api = `${gateway.url}/trpc`;
console.log(`
Holdfast gateway ready at ${gateway.url}  (health: ${gateway.url}/readyz)

Demo application API key (keep it secret):
  ${demo.apiKey}

Try it:
  export HOLDFAST_API_KEY='${demo.apiKey}'
  curl -s -H "authorization: Bearer $HOLDFAST_API_KEY" '${api}/preauth?input=%7B%22userId%22%3A%22alice%22%7D'
  curl -s -X POST -H "authorization: Bearer $HOLDFAST_API_KEY" -H 'content-type: application/json' \\
    -d '{"userId":"alice"}' '${api}/enrollment.createLink'

See README.md for enrolling TOTP and verifying codes. Ctrl-C stops everything.
`);

const shutdown = (): void => {
  void (async () => {
    await gateway.close();
    if (stopEmbedded !== null) await stopEmbedded();
    process.exit(0);
  })();
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
