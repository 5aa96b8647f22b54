import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, newestAuditEventId, problemsOf, runAuditCli, verifiesOffline, waitFor, waitUntilSealed, type ProofJson } from './audit.support';
import { createHoldfastClient } from '@holdfast/sdk';
import { enrollTotpUser, startEnvironment, wrongCodes } from './support/fixtures';

function flipByte(base64: string, at: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[at % bytes.length] = (bytes[at % bytes.length] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

// Issue 12: rows are sealed into a signed Merkle log by the running gateways; `holdfast audit
// verify` recomputes it from the rows and names the first bad leaf. Tampering is done as the
// superuser (the gateway role cannot change these tables at all: [AUDIT_APPEND_ONLY]).
describe('the sealed audit log under a running gateway', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let stateDir: string;
  let admin: pg.Client;
  let sealedIds: string[] = [];
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'holdfast-audit-test-'));
    env = await startEnvironment({ gateways: 1, env: { HOLDFAST_AUDIT_STATE_DIR: stateDir } });
    admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    const [gateway] = env.gateways;
    if (gateway === undefined) throw new Error('gateway expected');
    // Real audited traffic: an enrollment through the API and three rejected codes (at least 7 rows
    // whatever the canary has done yet — the tamper tests below use leaves 2 to 4).
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gateway.url });
    const app = createHoldfastClient({ gateways: [gateway.url], apiKey: user.apiKey, deadlineMs: 20_000 });
    for (const code of await wrongCodes(user.secret, 3)) {
      expect(await app.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'rejected' });
    }
    app.close();
    const newest = await newestAuditEventId(env.db);
    await waitUntilSealed(env.db, newest);
    sealedIds = (await env.db.pool.query<{ id: string }>('SELECT audit_event_id::text AS id FROM audit_leaves ORDER BY leaf_index')).rows.map((row) => row.id);
    expect(sealedIds.length).toBeGreaterThanOrEqual(6);
  });
  afterAll(async () => {
    await admin.end();
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('verify passes on an untouched log, and /readyz reports the sealed tree', async () => {
    const result = await runAuditCli(['verify'], env.gatewayDatabaseUrl);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('verified: every leaf matches its row');
    expect(result.code).toBe(0);
    const [gateway] = env.gateways;
    const readiness = await waitFor('the gateway to verify a checkpoint', async () => {
      const body = (await (await fetch(`${gateway?.url ?? ''}/readyz`)).json()) as { audit?: { treeSize: number; lagMs: number | null; alarm: string | null } };
      return body.audit !== undefined && body.audit.treeSize > 0 ? body.audit : null;
    });
    expect(readiness.alarm).toBeNull();
    const metrics = await (await fetch(`${gateway?.url ?? ''}/metrics`)).text();
    expect(metrics).toMatch(/holdfast_audit_tree_size\{gateway="gw-a",region="region-1"\} [1-9]/);
    expect(metrics).toContain('holdfast_audit_history_rewritten{gateway="gw-a",region="region-1"} 0');
    expect(metrics).toContain('holdfast_audit_seal_lag_seconds');
  });

  it('the gateway role may add leaves and checkpoints but never change or remove one (only the key envelope may be re-wrapped)', async () => {
    const asGateway = new pg.Client({ connectionString: env.gatewayDatabaseUrl });
    await asGateway.connect();
    const sqlState = async (sql: string): Promise<string | null> =>
      asGateway.query(sql).then(
        () => null,
        (error: unknown) => String((error as { code?: unknown }).code),
      );
    try {
      expect(await sqlState("UPDATE audit_leaves SET leaf_hash = '\\x00'")).toBe('42501');
      expect(await sqlState('DELETE FROM audit_leaves')).toBe('42501');
      expect(await sqlState('UPDATE audit_checkpoints SET note = note')).toBe('42501');
      expect(await sqlState('DELETE FROM audit_checkpoints')).toBe('42501');
      expect(await sqlState('TRUNCATE audit_checkpoints')).toBe('42501');
      expect(await sqlState('UPDATE audit_signing_keys SET public_key = public_key')).toBe('42501');
      expect(await sqlState('DELETE FROM audit_signing_keys')).toBe('42501');
      // rotate-keys runs with the gateway's DATABASE_URL and re-wraps the private half.
      expect(await sqlState('UPDATE audit_signing_keys SET private_key_enc = private_key_enc')).toBeNull();
    } finally {
      await asGateway.end();
    }
  });

  it('[AUDIT_INCLUSION_PROOF] a proof verifies offline with nothing but its JSON; a changed byte fails', async () => {
    const id = sealedIds[3] ?? '';
    const result = await runAuditCli(['proof', id], env.gatewayDatabaseUrl);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const proof = JSON.parse(result.stdout) as ProofJson;
    expect(proof).toMatchObject({ auditEventId: id, leafIndex: 3 });
    expect(verifiesOffline(proof)).toBe(true);
    // By event id (UUID) too: the same leaf.
    const byEventId = JSON.parse((await runAuditCli(['proof', proof.eventId], env.gatewayDatabaseUrl)).stdout) as ProofJson;
    expect(byEventId.leafIndex).toBe(3);
    expect(verifiesOffline(byEventId)).toBe(true);
    for (let at = 0; at < 40; at += 7) expect(verifiesOffline({ ...proof, leafEntry: flipByte(proof.leafEntry, at) })).toBe(false);
    for (const [i, hash] of proof.inclusionProof.entries()) {
      expect(verifiesOffline({ ...proof, inclusionProof: proof.inclusionProof.map((h, j) => (j === i ? flipByte(hash, 5) : h)) })).toBe(false);
    }
    expect(verifiesOffline({ ...proof, leafIndex: 2 })).toBe(false);
    expect(verifiesOffline({ ...proof, checkpoint: proof.checkpoint.replace(/\n(\d+)\n/, (_, size: string) => `\n${String(Number(size) + 1)}\n`) })).toBe(
      false,
    );
    expect(verifiesOffline({ ...proof, verifierKey: flipByte(proof.verifierKey.split('+')[2] ?? '', 3) })).toBe(false);
  });

  it('[AUDIT_TAMPER_EDIT] an edited row: verify fails and names its leaf', async () => {
    const id = sealedIds[2] ?? '';
    await admin.query(`UPDATE audit_events SET detail = detail || '{"tampered": true}'::jsonb WHERE id = $1`, [id]);
    const result = await runAuditCli(['verify', '--json'], env.gatewayDatabaseUrl);
    expect(result.code).toBe(1);
    expect(problemsOf(result)[0]).toMatchObject({ kind: 'row_edited', leafIndex: 2, auditEventId: id });
    const human = await runAuditCli(['verify'], env.gatewayDatabaseUrl);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`FIRST BAD LEAF: 2 (audit event ${id}): row_edited`);
    // Put back exactly: verify passes again (the leaf binds content, not the row's physical version).
    await admin.query(`UPDATE audit_events SET detail = detail - 'tampered' WHERE id = $1`, [id]);
    expect((await runAuditCli(['verify'], env.gatewayDatabaseUrl)).code).toBe(0);
  });

  it('[AUDIT_TAMPER_DELETE] a deleted row, and a row inserted in its place: verify fails and names the leaf', async () => {
    const id = sealedIds[4] ?? '';
    // CREATE TABLE AS takes no parameters: the id is digits (a bigint read back as text).
    await admin.query(`CREATE TEMP TABLE saved_row AS SELECT * FROM audit_events WHERE id = ${String(BigInt(id))}`);
    await admin.query('DELETE FROM audit_events WHERE id = $1', [id]);
    const deleted = await runAuditCli(['verify', '--json'], env.gatewayDatabaseUrl);
    expect(deleted.code).toBe(1);
    expect(problemsOf(deleted)[0]).toMatchObject({ kind: 'row_deleted', leafIndex: 4, auditEventId: id });
    // Another row under the deleted one's id claims its leaf: named as well.
    await admin.query(`INSERT INTO audit_events (id, type, gateway_id, region, detail) VALUES ($1, 'keys.rotated', 'gw-forged', 'x', '{}')`, [id]);
    const inserted = await runAuditCli(['verify', '--json'], env.gatewayDatabaseUrl);
    expect(inserted.code).toBe(1);
    expect(problemsOf(inserted)[0]).toMatchObject({ kind: 'row_edited', leafIndex: 4, auditEventId: id });
    // A forged row slipped in behind the sealer's watermark (an old transaction id) is named too.
    await admin.query('DELETE FROM audit_events WHERE id = $1', [id]);
    await admin.query('INSERT INTO audit_events SELECT * FROM saved_row');
    const forged = await admin.query<{ id: string }>(
      `INSERT INTO audit_events (type, gateway_id, region, detail, xid) VALUES ('keys.rotated', 'gw-forged', 'x', '{}', '3'::xid8) RETURNING id::text AS id`,
    );
    const behind = await runAuditCli(['verify', '--json'], env.gatewayDatabaseUrl);
    expect(behind.code).toBe(1);
    expect(problemsOf(behind)).toEqual([expect.objectContaining({ kind: 'row_inserted', auditEventId: forged.rows[0]?.id })]);
    await admin.query('DELETE FROM audit_events WHERE id = $1', [forged.rows[0]?.id]);
    expect((await runAuditCli(['verify'], env.gatewayDatabaseUrl)).code).toBe(0);
  });

  it('[AUDIT_TAMPER_TRUNCATE] leaves cut off below a signed checkpoint: verify fails and names the first missing leaf', async () => {
    const treeSize = await count(env.db, 'SELECT max(tree_size) FROM audit_checkpoints');
    const cut = treeSize - 3;
    expect(cut).toBeGreaterThan(0);
    await admin.query('DELETE FROM audit_leaves WHERE leaf_index >= $1 AND leaf_index < $2', [cut, treeSize]);
    const result = await runAuditCli(['verify', '--json'], env.gatewayDatabaseUrl);
    expect(result.code).toBe(1);
    const [first] = problemsOf(result);
    expect(first?.leafIndex).toBe(cut);
    expect(['leaf_missing', 'checkpoint_truncated']).toContain(first?.kind);
    const human = await runAuditCli(['verify'], env.gatewayDatabaseUrl);
    expect(human.stdout).toContain(`FIRST BAD LEAF: ${String(cut)} `);
  });
});
