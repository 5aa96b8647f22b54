// The latest audit checkpoint this gateway process has verified, on its own disk (issue 12): what
// a database whose history went backwards or forked is compared with. Written atomically (temp
// file, fsync, rename, fsync of the directory): a crash leaves the old file or the new, never half.
import { publicKeyFromRaw, rawPublicKey, type TrustedCheckpoint } from '@holdfast/api';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const stateSchema = z.object({
  version: z.literal(1),
  keyName: z.string().min(1),
  publicKey: z.base64(),
  treeSize: z.number().int().min(1),
  rootHash: z.base64(),
  frontier: z.array(z.base64()),
  note: z.string(),
});

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const base64 = (value: Uint8Array): string => Buffer.from(value).toString('base64');

/**
 * Default folder: per gateway and per database under the OS temp dir, so gateways (and test
 * databases) never share a file. The database part is a hash of the connection strings without
 * credentials. Production sets HOLDFAST_AUDIT_STATE_DIR to a disk that survives a reboot: a state
 * that is lost means trusting the database's word again on first use.
 */
export function defaultAuditStateDir(options: { gatewayId: string; databaseUrl: string }): string {
  const endpoints = options.databaseUrl
    .split(',')
    .map((url) => {
      const parsed = new URL(url);
      return `${parsed.hostname}:${parsed.port}${parsed.pathname}`;
    })
    .join(',');
  const database = createHash('sha256').update(endpoints).digest('hex').slice(0, 12);
  return join(tmpdir(), 'holdfast-audit', `${options.gatewayId}-${database}`);
}

/** One file per process (named by gateway and worker, so a shared folder is safe): each verifies on its own. */
export function trustedCheckpointPath(options: { stateDir: string; gatewayId: string; workerSlot: number | null }): string {
  const worker = options.workerSlot === null ? '' : `-w${String(options.workerSlot)}`;
  return join(options.stateDir, `checkpoint-${options.gatewayId}${worker}.json`);
}

export async function readTrustedCheckpoint(path: string): Promise<TrustedCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
  // A file that does not parse is not silently replaced: that would trust the database again.
  const state = stateSchema.parse(JSON.parse(text));
  return {
    keyName: state.keyName,
    publicKey: publicKeyFromRaw(bytes(state.publicKey)),
    treeSize: state.treeSize,
    rootHash: bytes(state.rootHash),
    frontier: { size: state.treeSize, hashes: state.frontier.map(bytes) },
    note: state.note,
  };
}

export async function writeTrustedCheckpoint(path: string, checkpoint: TrustedCheckpoint): Promise<void> {
  const directory = join(path, '..');
  await mkdir(directory, { recursive: true });
  const state: z.infer<typeof stateSchema> = {
    version: 1,
    keyName: checkpoint.keyName,
    publicKey: base64(rawPublicKey(checkpoint.publicKey)),
    treeSize: checkpoint.treeSize,
    rootHash: base64(checkpoint.rootHash),
    frontier: checkpoint.frontier.hashes.map(base64),
    note: checkpoint.note,
  };
  const temporary = `${path}.${String(process.pid)}.tmp`;
  const file = await open(temporary, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(state, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  // The rename is durable only once the directory entry is.
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
