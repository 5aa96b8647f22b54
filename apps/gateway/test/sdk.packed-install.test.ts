import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';

// Issue 10: a relying application installs `@holdfast/sdk` from the tarball `npm pack` makes — no
// workspace, no TypeScript loader — and uses it from plain Node (ESM and CommonJS) and from
// TypeScript. Shipping TypeScript source, a dependency on a private @holdfast/* package, or no
// types fails here: the install, the `node` runs or the strict `tsc` run.

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const sdkDir = join(repoRoot, 'packages', 'sdk');
const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');

/**
 * The environment for npm and node: without npm's lifecycle variables (under `npm test`,
 * npm_config_local_prefix names the workspace root and would make `npm install` install there)
 * and without NODE_OPTIONS (a loader from the test runner must not help plain node).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && (!key.toLowerCase().startsWith('npm_') || keep.has(key.toLowerCase()))),
  );
}

async function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

// What an application would write, in each module system. Prints the outcomes as JSON.
const esmScript = `
import { createHoldfastClient, HoldfastApiError } from '@holdfast/sdk';
const [gateway, apiKey, userId, code] = process.argv.slice(2);
const client = createHoldfastClient({ gateways: [gateway], apiKey, probeIntervalMs: 0 });
const preauth = await client.preauth({ userId });
const verification = await client.verifyTotp({ userId, code });
const stranger = createHoldfastClient({ gateways: [gateway], apiKey: apiKey.slice(0, -4) + 'AAAA', probeIntervalMs: 0 });
const refused = await stranger.preauth({ userId }).catch((error) => error);
console.log(JSON.stringify({ preauth: preauth.result, outcome: verification.outcome, refusedWith: refused instanceof HoldfastApiError ? refused.code : String(refused) }));
`;
const cjsScript = `
const { createHoldfastClient } = require('@holdfast/sdk');
const [gateway, apiKey, userId, code] = process.argv.slice(2);
const client = createHoldfastClient({ gateways: [gateway], apiKey, probeIntervalMs: 0 });
client.verifyTotp({ userId, code }).then((verification) => {
  console.log(JSON.stringify({ outcome: verification.outcome, moduleSystem: typeof module === 'object' ? 'commonjs' : 'esm' }));
});
`;
// Strict TypeScript against the shipped declarations: wrong calls must not compile (so the types
// are real, not `any`), for an ESM (.mts) and a CommonJS (.cts) consumer.
const tsEsmConsumer = `
import { createHoldfastClient, HoldfastApiError, HoldfastUnavailableError, type HoldfastClient, type PreauthResult, type VerificationResult, type WebauthnBeginResult } from '@holdfast/sdk';
const client: HoldfastClient = createHoldfastClient({ gateways: ['http://127.0.0.1:4000'], apiKey: 'hf_example', deadlineMs: 2_000 });
export async function signIn(userId: string, code: string): Promise<boolean> {
  const preauth: PreauthResult = await client.preauth({ userId });
  if (preauth.result === 'enroll') return false;
  const kinds: string[] = preauth.factors.map((factor) => factor.kind);
  try {
    const result: VerificationResult = await client.verifyTotp({ userId, code });
    return result.outcome === 'accepted' && kinds.length > 0;
  } catch (error) {
    if (error instanceof HoldfastApiError && error.httpStatus === 429) return false; // RATE_LIMITED by every gateway
    if (error instanceof HoldfastUnavailableError) throw new Error(error.failures.map((f) => f.gateway + ': ' + f.reason).join('; '));
    throw error;
  }
}
export async function passkeyOptions(userId: string): Promise<string> {
  const begun: WebauthnBeginResult = await client.webauthnBegin({ userId });
  return begun.options.challenge + begun.challengeId;
}
// @ts-expect-error a TOTP code is a string
void client.verifyTotp({ userId: 'u', code: 123456 });
// @ts-expect-error the API key is required
createHoldfastClient({ gateways: [] });
`;
const tsCjsConsumer = `
import { createHoldfastClient, type VerificationResult } from '@holdfast/sdk';
export async function outcome(userId: string, code: string): Promise<VerificationResult['outcome']> {
  const client = createHoldfastClient({ gateways: ['http://127.0.0.1:4000'], apiKey: 'hf_example' });
  const result = await client.verifyTotp({ userId, code });
  client.close();
  return result.outcome;
}
// @ts-expect-error no such method
void createHoldfastClient({ gateways: [], apiKey: 'x' }).verifySms;
`;

describe('[SDK_PACKED_INSTALL] the packed @holdfast/sdk installed in a project outside the workspace', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let workDir = '';
  let project = '';
  let installedFiles: string[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'holdfast-sdk-packed-'));
    if (!relative(repoRoot, workDir).startsWith('..')) throw new Error(`${workDir} is inside the workspace: set TMPDIR elsewhere`);
    project = join(workDir, 'consumer');
    const packDir = join(workDir, 'pack');
    // The gateway starts while npm packs (prepack builds dist/) and installs: they take the time.
    const [started] = await Promise.all([
      startEnvironment({ gateways: 1 }),
      (async () => {
        await mkdir(packDir);
        await mkdir(project);
        await sh('npm', ['pack', '--pack-destination', packDir], sdkDir);
        const tarballs = (await readdir(packDir)).filter((name) => name.endsWith('.tgz'));
        expect(tarballs).toHaveLength(1);
        const tarball = join(packDir, tarballs[0] ?? '');
        await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'holdfast-sdk-consumer', version: '0.0.0', private: true }));
        await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tarball], project);
      })(),
    ]);
    env = started;
    installedFiles = await listFiles(join(project, 'node_modules', '@holdfast', 'sdk'));
  }, 240_000);

  afterAll(async () => {
    await env.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('ships built JavaScript and declarations only, and depends on no private package', async () => {
    expect(installedFiles).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']));
    expect(installedFiles.filter((file) => /\.(ts|tsx|mts|cts)$/.test(file) && !/\.d\.c?ts$/.test(file))).toEqual([]);
    const manifest = JSON.parse(await readFile(join(project, 'node_modules', '@holdfast', 'sdk', 'package.json'), 'utf8')) as {
      private?: boolean;
      version: string;
      dependencies: Record<string, string>;
    };
    expect(manifest.private).toBeUndefined();
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(manifest.dependencies).filter((name) => name.startsWith('@holdfast/'))).toEqual([]);
    // Nothing of the workspace came along: only @holdfast/sdk itself under @holdfast.
    expect(await readdir(join(project, 'node_modules', '@holdfast'))).toEqual(['sdk']);
  });

  it('verifies a TOTP code against a real gateway from plain node, as ESM and as CommonJS', async () => {
    const [gateway] = env.gateways;
    if (gateway === undefined) throw new Error('gateway expected');
    // Two users: each script spends one code, and a user's next code would mean waiting for the next step.
    const [esmUser, cjsUser] = await Promise.all([
      enrollTotpUser({ db: env.db, gatewayUrl: gateway.url }),
      enrollTotpUser({ db: env.db, gatewayUrl: gateway.url }),
    ]);
    await writeFile(join(project, 'verify.mjs'), esmScript);
    await writeFile(join(project, 'verify.cjs'), cjsScript);

    const esmCode = await freshCode(esmUser.secret, esmUser.confirmedStep);
    const esm = JSON.parse(await sh(process.execPath, ['verify.mjs', gateway.url, esmUser.apiKey, esmUser.userId, esmCode.code], project)) as unknown;
    expect(esm).toEqual({ preauth: 'auth', outcome: 'accepted', refusedWith: 'UNAUTHENTICATED' });

    const cjsCode = await freshCode(cjsUser.secret, cjsUser.confirmedStep);
    const cjs = JSON.parse(await sh(process.execPath, ['verify.cjs', gateway.url, cjsUser.apiKey, cjsUser.userId, cjsCode.code], project)) as unknown;
    expect(cjs).toEqual({ outcome: 'accepted', moduleSystem: 'commonjs' });
  });

  it('type-checks strict TypeScript consumers (ESM and CommonJS) against the shipped declarations', async () => {
    await writeFile(join(project, 'consumer.mts'), tsEsmConsumer);
    await writeFile(join(project, 'consumer.cts'), tsCjsConsumer);
    // The workspace's tsc and @types/node (a Node application has its own); the package's own
    // declarations are checked too (no skipLibCheck).
    await sh(
      tsc,
      [
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--typeRoots',
        join(repoRoot, 'node_modules', '@types'),
        '--types',
        'node',
        'consumer.mts',
        'consumer.cts',
      ],
      project,
    );
  });
});
