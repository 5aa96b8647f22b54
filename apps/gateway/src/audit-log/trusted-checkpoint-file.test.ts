import { appendLeaf, auditLeafHash, checkpointNote, emptyMerkleFrontier, frontierRoot, signNote } from '@holdfast/core';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAuditStateDir, readTrustedCheckpoint, trustedCheckpointPath, writeTrustedCheckpoint } from './trusted-checkpoint-file';

describe('the trusted checkpoint file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'holdfast-audit-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips a checkpoint, leaves no temporary file, and is absent until written', async () => {
    const path = trustedCheckpointPath({ stateDir: join(dir, 'nested'), gatewayId: 'gw-a', workerSlot: 2 });
    expect(path.endsWith('checkpoint-gw-a-w2.json')).toBe(true);
    expect(await readTrustedCheckpoint(path)).toBeNull();
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    let frontier = emptyMerkleFrontier;
    for (let i = 0; i < 5; i += 1) frontier = appendLeaf(frontier, auditLeafHash(new TextEncoder().encode(`leaf ${String(i)}`)));
    const rootHash = frontierRoot(frontier);
    const note = signNote({ body: checkpointNote({ origin: 'holdfast.audit/test', treeSize: 5, rootHash }), keyName: 'holdfast.audit/test', privateKey });
    await writeTrustedCheckpoint(path, { keyName: 'holdfast.audit/test', publicKey, treeSize: 5, rootHash, frontier, note });
    const read = await readTrustedCheckpoint(path);
    expect(read?.treeSize).toBe(5);
    expect(read?.rootHash).toEqual(rootHash);
    expect(read?.frontier.hashes).toEqual(frontier.hashes);
    expect(read?.publicKey.equals(publicKey)).toBe(true);
    expect(await readdir(join(dir, 'nested'))).toEqual(['checkpoint-gw-a-w2.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1, treeSize: 5 });
  });

  it('refuses a damaged file instead of trusting the database again', async () => {
    const path = join(dir, 'damaged.json');
    await writeFile(path, '{"version":1,"treeSize":"x"}');
    await expect(readTrustedCheckpoint(path)).rejects.toThrow();
  });

  it('keeps gateways and databases apart by default, without credentials in the name', () => {
    const a = defaultAuditStateDir({ gatewayId: 'gw-a', databaseUrl: 'postgres://u:secret@127.0.0.1:5432/one' });
    expect(a).not.toContain('secret');
    expect(defaultAuditStateDir({ gatewayId: 'gw-a', databaseUrl: 'postgres://other:pw@127.0.0.1:5432/one' })).toBe(a);
    expect(defaultAuditStateDir({ gatewayId: 'gw-a', databaseUrl: 'postgres://u:secret@127.0.0.1:5432/two' })).not.toBe(a);
    expect(defaultAuditStateDir({ gatewayId: 'gw-b', databaseUrl: 'postgres://u:secret@127.0.0.1:5432/one' })).not.toBe(a);
  });
});
