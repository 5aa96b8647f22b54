import { signPruneMark } from '@holdfast/api';
import { createApplication, createDatabase, defaultRoleNames, roleUrl, writeAuditEvent, type Database } from '@holdfast/db';
import { testRolePasswords } from '@holdfast/db/testing';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, problemsOf, runHoldfastCli, verifiesOffline, waitFor, waitUntilSealed, type CliResult, type ProofJson } from './audit.support';
import { startEnvironment } from './support/fixtures';

/** `holdfast audit …` with exactly the settings given (and the gateways' keyring unless told otherwise). */
const runCli = (args: readonly string[], settings: Record<string, string>): Promise<CliResult> => runHoldfastCli(['audit', ...args], settings);

interface PruneJson {
  prunedBelow: number;
  previousPrunedBelow: number;
  treeSize: number;
  deletedRows: number;
  keptRows: number;
  note: string | null;
}

interface VerifyJson {
  ok: boolean;
  leaves: number;
  prunedBelow: number;
  prunedRows: number;
  problems: { kind: string; leafIndex: number | null }[];
}

// Issue 12, retention: old audit rows go only below a signed "pruned below N" mark (the
// deployment's audit key, which only the keyring's holder can open), the leaves stay, and
// `holdfast audit verify` still passes — while a hole anywhere else, or under a mark the key did
// not sign, is still named. Tampering is done as the superuser.
// Each case runs the CLI several times (a process each): generous on a shared two-core machine.
describe('[AUDIT_RETENTION] audit rows are pruned only below a signed "pruned below N" mark', { timeout: 240_000 }, () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let stateDir: string;
  let admin: pg.Client;
  let writer: Database;
  let migratorUrl: string;
  let cutoff: string;
  /** N: the first leaf whose event occurred at or after the cutoff. */
  let expectedN = 0;
  let keptId = '';
  const prune = (args: readonly string[]): Promise<CliResult> => runCli(['prune', ...args], { DATABASE_MIGRATION_URL: migratorUrl });
  const verify = (args: readonly string[] = []): Promise<CliResult> => runCli(['verify', ...args], { DATABASE_URL: env.gatewayDatabaseUrl });
  const verifyJson = async (): Promise<{ code: number; report: VerifyJson }> => {
    const result = await verify(['--json']);
    return { code: result.code, report: JSON.parse(result.stdout) as VerifyJson };
  };
  const rowIdAt = async (leafIndex: number): Promise<string> => {
    const { rows } = await env.db.pool.query<{ id: string }>('SELECT audit_event_id::text AS id FROM audit_leaves WHERE leaf_index = $1', [leafIndex]);
    const id = rows[0]?.id;
    if (id === undefined) throw new Error(`no leaf ${String(leafIndex)}`);
    return id;
  };
  /** Rows of the leaves up to the cutoff's N and a few after it (the canary keeps adding rows elsewhere). */
  const rowCount = (): Promise<number> =>
    count(env.db, 'SELECT count(*) FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id WHERE l.leaf_index < $1', [expectedN + 6]);
  const writeBatch = async (batch: string, n: number): Promise<string> => {
    for (let i = 0; i < n; i += 1)
      await writeAuditEvent(writer.pool, { type: 'keys.rotated', gatewayId: 'retention-test', region: 'test', detail: { batch, i } });
    const { rows } = await env.db.pool.query<{ id: string }>('SELECT max(id)::text AS id FROM audit_events');
    return rows[0]?.id ?? '';
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'holdfast-audit-retention-'));
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_AUDIT_STATE_DIR: stateDir } });
    admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    migratorUrl = roleUrl(env.databaseUrl, defaultRoleNames.migrator, testRolePasswords.migrator);
    // Written as gateways write: the gateway role, one transaction per event.
    writer = createDatabase({ url: env.gatewayDatabaseUrl, poolMax: 2 });
    await waitUntilSealed(env.db, await writeBatch('old', 12));
    cutoff = (await admin.query<{ now: Date }>('SELECT now() AS now')).rows[0]?.now.toISOString() ?? '';
    await new Promise((resolve) => setTimeout(resolve, 50));
    await waitUntilSealed(env.db, await writeBatch('new', 6));
    expectedN = await count(env.db, 'SELECT min(l.leaf_index) FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id WHERE e.occurred_at >= $1', [
      cutoff,
    ]);
    expect(expectedN).toBeGreaterThanOrEqual(12);
    expect(await count(env.db, 'SELECT count(*) FROM audit_leaves WHERE leaf_index >= $1', [expectedN])).toBeGreaterThanOrEqual(6);
  });
  afterAll(async () => {
    await writer.close();
    await admin.end();
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('needs the migrator role: without DATABASE_MIGRATION_URL it says where the credentials are; as the gateway role it deletes nothing', async () => {
    const before = await rowCount();
    const missing = await runCli(['prune', '--before', cutoff], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('DATABASE_MIGRATION_URL');
    expect(missing.stderr).toContain('database-roles.json');
    const asGateway = await runCli(['prune', '--before', cutoff], { DATABASE_MIGRATION_URL: env.gatewayDatabaseUrl });
    expect(asGateway.code).toBe(1);
    expect(asGateway.stderr).toMatch(/may not delete audit rows.*migrator/);
    expect(await rowCount()).toBe(before);
    expect(await count(env.db, 'SELECT count(*) FROM audit_prune_marks')).toBe(0);
    const future = await prune(['--before', '2999-01-01T00:00:00Z']);
    expect(future.code).toBe(2);
    expect(future.stderr).toContain('in the future');
  });

  it('refuses to sign over tampering: an edited row below the cutoff stops the prune, named, nothing deleted', async () => {
    const id = await rowIdAt(3);
    const before = await rowCount();
    await admin.query(`UPDATE audit_events SET detail = detail || '{"tampered": true}'::jsonb WHERE id = $1`, [id]);
    try {
      const refused = await prune(['--before', cutoff]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('at leaf 3 (row_edited');
      expect(await rowCount()).toBe(before);
      expect(await count(env.db, 'SELECT count(*) FROM audit_prune_marks')).toBe(0);
    } finally {
      await admin.query(`UPDATE audit_events SET detail = detail - 'tampered' WHERE id = $1`, [id]);
    }
  });

  it('a dry run names N and the rows, and changes nothing', async () => {
    const before = await rowCount();
    const result = await prune(['--before', cutoff, '--dry-run', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dryRun: true,
      prunedBelow: expectedN,
      previousPrunedBelow: 0,
      deletedRows: expectedN,
      keptRows: 0,
      note: null,
    });
    expect(await rowCount()).toBe(before);
    expect(await count(env.db, 'SELECT count(*) FROM audit_prune_marks')).toBe(0);
  });

  it('prunes below N: rows gone (but one with a pending webhook), leaves kept, a signed mark; verify passes and reports it', async () => {
    // A webhook delivery still pending for one old event: its row is kept, not dropped silently.
    keptId = await rowIdAt(2);
    const app = await createApplication({ prisma: env.db.prisma, name: 'retention-test' });
    await admin.query(
      // Due tomorrow (a retry backing off): the gateway's delivery worker leaves it pending meanwhile.
      `INSERT INTO webhook_deliveries (id, application_id, audit_event_id, event_type, payload, status, next_attempt_at)
       VALUES (gen_random_uuid(), $1, $2, 'factor.enrolled', '{}', 'pending', now() + interval '1 day')`,
      [app.applicationId, keptId],
    );
    const leavesBefore = await count(env.db, 'SELECT count(*) FROM audit_leaves');
    const rowsBefore = await rowCount();
    expect(rowsBefore).toBe(expectedN + 6);
    const result = await prune(['--before', cutoff, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const pruned = JSON.parse(result.stdout) as PruneJson;
    expect(pruned).toMatchObject({ prunedBelow: expectedN, previousPrunedBelow: 0, deletedRows: expectedN - 1, keptRows: 1 });
    expect(pruned.note).toContain(`\npruned-below ${String(expectedN)}\n`);

    // Rows of leaves below N are gone (but the kept one); every leaf is still there.
    expect(await rowCount()).toBe(rowsBefore - (expectedN - 1));
    expect(await count(env.db, 'SELECT count(*) FROM audit_leaves l JOIN audit_events e ON e.id = l.audit_event_id WHERE l.leaf_index < $1', [expectedN])).toBe(
      1,
    );
    expect(await count(env.db, 'SELECT count(*) FROM audit_events WHERE id = $1', [keptId])).toBe(1);
    expect(await count(env.db, 'SELECT count(*) FROM audit_leaves')).toBeGreaterThanOrEqual(leavesBefore);
    expect(await count(env.db, 'SELECT count(*) FROM audit_prune_marks WHERE pruned_below = $1', [expectedN])).toBe(1);

    const human = await verify();
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`pruned below ${String(expectedN)} (${String(expectedN - 1)} rows removed by retention`);
    expect(human.stdout).toContain('verified:');
    const { code, report } = await verifyJson();
    expect(code).toBe(0);
    expect(report).toMatchObject({ ok: true, prunedBelow: expectedN, prunedRows: expectedN - 1, problems: [] });

    // Once the webhook is delivered, the next prune takes the kept row under the same mark.
    await admin.query(`UPDATE webhook_deliveries SET status = 'delivered' WHERE audit_event_id = $1`, [keptId]);
    const again = JSON.parse((await prune(['--before', cutoff, '--json'])).stdout) as PruneJson;
    expect(again).toMatchObject({ prunedBelow: expectedN, previousPrunedBelow: expectedN, deletedRows: 1, keptRows: 0, note: null });
    expect(await count(env.db, 'SELECT count(*) FROM audit_prune_marks')).toBe(1);
    expect((await verifyJson()).report).toMatchObject({ ok: true, prunedBelow: expectedN, prunedRows: expectedN });
    // Nothing older left above N: nothing to do.
    const idle = await prune(['--before', cutoff]);
    expect(idle.code).toBe(0);
    expect(idle.stdout).toContain('nothing to prune');
  });

  it('a later event still has an inclusion proof that verifies offline; a pruned event gets a clear error', async () => {
    const later = await rowIdAt(expectedN + 1);
    const result = await runCli(['proof', later], { DATABASE_URL: env.gatewayDatabaseUrl });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const proof = JSON.parse(result.stdout) as ProofJson;
    expect(proof.leafIndex).toBe(expectedN + 1);
    expect(verifiesOffline(proof)).toBe(true);
    const gone = await runCli(['proof', keptId], { DATABASE_URL: env.gatewayDatabaseUrl });
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`audit event ${keptId} was pruned by audit retention (leaf 2 is below the signed "pruned below ${String(expectedN)}" mark)`);
    // The gateways keep sealing and their history check (leaves only) sees nothing wrong.
    const newest = await writeBatch('after-prune', 2);
    await waitUntilSealed(env.db, newest);
    const [gateway] = env.gateways;
    // A checkpoint covering the new events, fixed once: the gateway's own audit rows (canary,
    // lifecycle) keep the newest checkpoint moving, so "the newest" is a target the history check
    // (every 2 s) may trail under load by a second's seal — what is asked is that it verifies this one.
    const covering = await count(env.db, 'SELECT max(tree_size) FROM audit_checkpoints');
    await waitFor('the gateway to verify a checkpoint covering the new events', async () => {
      const body = (await (await fetch(`${gateway?.url ?? ''}/readyz`)).json()) as { audit?: { treeSize: number; alarm: string | null } };
      return body.audit !== undefined && body.audit.alarm === null && body.audit.treeSize >= covering;
    });
    expect((await verify()).code).toBe(0);
  });

  it('a row deleted at or above N is still named as the first bad leaf', async () => {
    const leaf = expectedN + 1;
    const id = await rowIdAt(leaf);
    await admin.query(`CREATE TEMP TABLE saved_above AS SELECT * FROM audit_events WHERE id = ${String(BigInt(id))}`);
    await admin.query('DELETE FROM audit_events WHERE id = $1', [id]);
    const result = await verify(['--json']);
    expect(result.code).toBe(1);
    expect(problemsOf(result)[0]).toMatchObject({ kind: 'row_deleted', leafIndex: leaf, auditEventId: id });
    // The row at N itself, too (N is the first leaf NOT covered).
    const atN = await rowIdAt(expectedN);
    await admin.query(`INSERT INTO saved_above SELECT * FROM audit_events WHERE id = ${String(BigInt(atN))}`);
    await admin.query('DELETE FROM audit_events WHERE id = $1', [atN]);
    expect(problemsOf(await verify(['--json']))[0]).toMatchObject({ kind: 'row_deleted', leafIndex: expectedN });
    // And a prune refuses to cover the hole.
    const refused = await prune(['--before', new Date().toISOString()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`at leaf ${String(expectedN)} (row_deleted`);
    await admin.query('INSERT INTO audit_events SELECT * FROM saved_above');
    await admin.query('DROP TABLE saved_above');
    expect((await verify()).code).toBe(0);
  });

  it('a mark signed by another key, or one whose row says more than its note, authorises nothing; a hole below N without its mark fails', async () => {
    const { rows } = await env.db.pool.query<{ tree_size: string; root_hash: Buffer; key_name: string; note: string }>(
      'SELECT tree_size::text AS tree_size, root_hash, key_name, note FROM audit_prune_marks WHERE pruned_below = $1',
      [expectedN],
    );
    const genuine = rows[0];
    if (genuine === undefined) throw new Error('the genuine mark is missing');
    const treeSize = Number(genuine.tree_size);
    // A forger with the database but not the keyring: deletes rows N..N+2, signs "pruned below N+3" with a key of their own under the deployment's key name.
    const forgedN = expectedN + 3;
    expect(forgedN).toBeLessThanOrEqual(treeSize);
    const other = generateKeyPairSync('ed25519');
    const forgedNote = signPruneMark({
      key: { keyName: genuine.key_name, privateKey: other.privateKey },
      treeSize,
      rootHash: new Uint8Array(genuine.root_hash),
      prunedBelow: forgedN,
    });
    // CREATE TABLE AS takes no parameters: the bounds are integers.
    await admin.query(
      `CREATE TEMP TABLE saved_hole AS SELECT e.* FROM audit_events e JOIN audit_leaves l ON l.audit_event_id = e.id WHERE l.leaf_index >= ${String(expectedN)} AND l.leaf_index < ${String(forgedN)}`,
    );
    await admin.query('DELETE FROM audit_events e USING audit_leaves l WHERE l.audit_event_id = e.id AND l.leaf_index >= $1 AND l.leaf_index < $2', [
      expectedN,
      forgedN,
    ]);
    const insertMark = (prunedBelow: number, note: string): Promise<unknown> =>
      admin.query(
        `INSERT INTO audit_prune_marks (pruned_below, tree_size, root_hash, note, key_name, pruned_before, deleted_rows, kept_rows) VALUES ($1, $2, $3, $4, $5, now(), 3, 0)`,
        [prunedBelow, treeSize, genuine.root_hash, note, genuine.key_name],
      );
    await insertMark(forgedN, forgedNote);
    const forged = await verify(['--json']);
    expect(forged.code).toBe(1);
    expect(problemsOf(forged)[0]).toMatchObject({ kind: 'row_deleted', leafIndex: expectedN });
    expect(problemsOf(forged).map((problem) => problem.kind)).toContain('prune_mark_signature');
    expect((JSON.parse(forged.stdout) as VerifyJson).prunedBelow).toBe(expectedN);
    // The genuine note under a bigger N in its row: the signed text says otherwise.
    await admin.query('UPDATE audit_prune_marks SET note = $1 WHERE pruned_below = $2', [genuine.note, forgedN]);
    const relabelled = await verify(['--json']);
    expect(relabelled.code).toBe(1);
    expect(problemsOf(relabelled)[0]).toMatchObject({ kind: 'row_deleted', leafIndex: expectedN });
    expect(problemsOf(relabelled).map((problem) => problem.kind)).toContain('prune_mark_signature');
    await admin.query('DELETE FROM audit_prune_marks WHERE pruned_below = $1', [forgedN]);
    await admin.query('INSERT INTO audit_events SELECT * FROM saved_hole');
    await admin.query('DROP TABLE saved_hole');
    expect((await verify()).code).toBe(0);

    // Without its mark, the pruned rows are a hole: named from leaf 0.
    await admin.query('CREATE TEMP TABLE saved_mark AS SELECT * FROM audit_prune_marks');
    await admin.query('DELETE FROM audit_prune_marks');
    const unmarked = await verifyJson();
    expect(unmarked.code).toBe(1);
    expect(unmarked.report.prunedBelow).toBe(0);
    expect(unmarked.report.problems[0]).toMatchObject({ kind: 'row_deleted', leafIndex: 0 });
    await admin.query('INSERT INTO audit_prune_marks SELECT * FROM saved_mark');
    await admin.query('DROP TABLE saved_mark');
    expect((await verifyJson()).report).toMatchObject({ ok: true, prunedBelow: expectedN });
  });
});
