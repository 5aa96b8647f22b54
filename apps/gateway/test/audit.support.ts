// Shared by the sealed-audit-log tests (issue 12): the `holdfast audit` CLI as an operator runs it,
// and what the database says about the sealer.
import { auditLeafHash, openSignedNote, parseVerifierKey, verifyInclusion } from '@holdfast/core';
import type { Database } from '@holdfast/db';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testKeys } from './support/gateways';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
// The CLI as deployments run it: its bundle (turbo builds it before the gateway's tests, see
// turbo.json). Starting it through tsx instead cost ~1.3 s more per call, and these suites make
// dozens of calls.
const cliBin = fileURLToPath(new URL('../../cli/dist/holdfast.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `holdfast …` with exactly the settings given (plus the gateways' keyring unless they say otherwise). */
export function runHoldfastCli(args: readonly string[], settings: Record<string, string>): Promise<CliResult> {
  if (!existsSync(cliBin)) throw new Error(`${cliBin} is missing: build the CLI first (npx turbo run build --filter=@holdfast/cli)`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliBin, ...args],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOLDFAST_ENCRYPTION_KEYS: `k1:${testKeys.k1},k2:${testKeys.k2}`,
          HOLDFAST_ACTIVE_KEY_ID: 'k1',
          ...settings,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `holdfast audit …` with a gateway's configuration. */
export function runAuditCli(args: readonly string[], databaseUrl: string): Promise<CliResult> {
  return runHoldfastCli(['audit', ...args], { DATABASE_URL: databaseUrl });
}

export async function count(db: Database, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`SELECT (${sql})::text AS n`, values);
  return Number(rows[0]?.n ?? 'NaN');
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Waits until audit event `id` has a leaf and a checkpoint covers it; returns its leaf index. */
export function waitUntilSealed(db: Database, id: string): Promise<number> {
  return waitFor(`audit event ${id} sealed`, async () => {
    const { rows } = await db.pool.query<{ leaf_index: string }>(
      `SELECT l.leaf_index::text AS leaf_index FROM audit_leaves l
        WHERE l.audit_event_id = $1 AND EXISTS (SELECT 1 FROM audit_checkpoints c WHERE c.tree_size > l.leaf_index)`,
      [id],
    );
    return rows[0] === undefined ? null : Number(rows[0].leaf_index);
  });
}

/** The newest audit event's id (the canary writes one per second per gateway). */
export async function newestAuditEventId(db: Database): Promise<string> {
  const { rows } = await db.pool.query<{ id: string }>('SELECT e.id::text AS id FROM audit_events e ORDER BY e.id DESC LIMIT 1');
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('no audit events yet');
  return id;
}

/** Which gateway's audit pool holds the sealer lock ("has1"), by its connection's application name. */
export async function sealingGatewayId(db: Database): Promise<string | null> {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1::bigint::oid AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [0x6861_7331],
  );
  const match = /^holdfast-(.+)-audit$/.exec(rows[0]?.name ?? '');
  return match?.[1] ?? null;
}

export interface AuditProblemJson {
  kind: string;
  leafIndex: number | null;
  auditEventId: string | null;
}

export function problemsOf(result: CliResult): AuditProblemJson[] {
  return (JSON.parse(result.stdout) as { problems: AuditProblemJson[] }).problems;
}

/** `holdfast audit proof` output, as the tests read it. */
export interface ProofJson {
  auditEventId: string;
  eventId: string;
  leafIndex: number;
  leafEntry: string;
  inclusionProof: string[];
  treeSize: number;
  checkpoint: string;
  verifierKey: string;
}

/** The offline check, with nothing but the proof's JSON and core. */
/** The offline check, with nothing but the proof's JSON and core (deliberately not the api's own verifier). */
export function verifiesOffline(proof: ProofJson): boolean {
  const key = parseVerifierKey(proof.verifierKey);
  if (key === null) return false;
  const checkpoint = openSignedNote({ note: proof.checkpoint, keyName: key.keyName, publicKey: key.publicKey });
  if (checkpoint === null) return false;
  return verifyInclusion({
    leafHash: auditLeafHash(new Uint8Array(Buffer.from(proof.leafEntry, 'base64'))),
    leafIndex: proof.leafIndex,
    treeSize: checkpoint.treeSize,
    proof: proof.inclusionProof.map((hash) => new Uint8Array(Buffer.from(hash, 'base64'))),
    rootHash: checkpoint.rootHash,
  });
}
