import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApplication } from '@holdfast/db';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';
import { warmUp } from './openapi.support';

const run = promisify(execFile);
const gatewayDir = fileURLToPath(new URL('..', import.meta.url));
const readmePath = fileURLToPath(new URL('../../../README.md', import.meta.url));

interface Snippet {
  name: string;
  language: string;
  code: string;
}

/** The README's executable snippets: a fenced block right after `<!-- holdfast-snippet: <name> -->`. */
async function readmeSnippets(): Promise<Snippet[]> {
  const readme = await readFile(readmePath, 'utf8');
  return [...readme.matchAll(/<!-- holdfast-snippet: ([a-z0-9-]+) -->\n```([a-z]+)\n([\s\S]*?)\n```/g)].map((match) => ({
    name: match[1] ?? '',
    language: match[2] ?? '',
    code: match[3] ?? '',
  }));
}

describe('[README_SNIPPETS] the "Integrate your app" snippets run as written against a real gateway', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let scratch: string;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_CANARY_INTERVAL_MS: '3600000' } });
    // Inside the gateway package, so the TypeScript snippet resolves `@holdfast/sdk` from the workspace.
    scratch = await mkdtemp(join(gatewayDir, '.readme-snippets-'));
    const [gw] = env.gateways;
    if (gw !== undefined) await warmUp(gw.url, (await createApplication({ prisma: env.db.prisma, name: 'warm-up' })).apiKey);
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
    await env.stop();
  });

  it('has the SDK, curl and Python snippets, and each verifies a code: prints accepted', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const snippets = await readmeSnippets();
    expect(snippets.map((snippet) => `${snippet.name}:${snippet.language}`).sort()).toEqual(['curl:bash', 'python:python', 'sdk:ts']);

    for (const snippet of snippets) {
      // A user (and application) of its own per snippet: each TOTP code is accepted once.
      const user = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url, userId: `readme-${snippet.name}` });
      const { code } = await freshCode(user.secret, user.confirmedStep);
      const snippetEnv = { ...process.env, HOLDFAST_URL: gw.url, HOLDFAST_API_KEY: user.apiKey, HOLDFAST_USER: user.userId, HOLDFAST_CODE: code };
      const file = join(scratch, `${snippet.name}.${snippet.language === 'python' ? 'py' : snippet.language === 'bash' ? 'sh' : 'ts'}`);
      await writeFile(file, `${snippet.code}\n`);
      const [command, args] =
        snippet.language === 'bash' ? ['bash', [file]] : snippet.language === 'python' ? ['python3', [file]] : [process.execPath, ['--import', 'tsx', file]];
      const result = await run(command, args, { cwd: gatewayDir, env: snippetEnv, timeout: 30_000 }).catch((error: unknown) => {
        const failed = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${snippet.name} failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
      });
      const lines = result.stdout.trim().split('\n');
      expect(lines.at(-1), `${snippet.name}: ${result.stdout} ${result.stderr}`).toBe('accepted');
    }
  });
});
