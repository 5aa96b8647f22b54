import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, waitFor } from './audit.support';
import { startEnvironment } from './support/fixtures';

interface Readiness {
  ready: boolean;
  audit?: { treeSize: number; lagMs: number | null; alarm: string | null };
}

async function readiness(url: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

// Issue 12: each gateway keeps the latest checkpoint it verified on its own disk and checks every
// newer one against it. A database rolled back to an older copy (newest rows, leaves and
// checkpoints gone; then sealed again differently) raises the alarm — on /readyz (which stays 200:
// logins still work), in metrics and as an audit row.
describe('[AUDIT_HISTORY_REWRITTEN] an older copy of the database under running gateways', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'holdfast-audit-test-'));
    env = await startEnvironment({ gateways: 2, env: { HOLDFAST_AUDIT_STATE_DIR: stateDir, HOLDFAST_AUDIT_CHECK_INTERVAL_MS: '300' } });
  });
  afterAll(async () => {
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('raises history_rewritten on /readyz (still 200), in metrics and in the audit trail', async () => {
    const urls = env.gateways.map((gateway) => gateway.url);
    // Both gateways have verified a tree larger than the first checkpoint (the canaries' logins
    // are audited and sealed every second).
    const keep = await waitFor('a first checkpoint', async () => {
      const first = await count(env.db, 'SELECT COALESCE(min(tree_size), 0) FROM audit_checkpoints');
      return first > 0 ? first : null;
    });
    await waitFor('both gateways to verify a tree larger than the first checkpoint', async () => {
      const sizes = await Promise.all(urls.map(async (url) => (await readiness(url)).body.audit?.treeSize ?? 0));
      return sizes.every((size) => size > keep);
    });
    for (const url of urls) expect((await readiness(url)).body.audit?.alarm).toBeNull();

    // "Restore" an older copy: everything after the first checkpoint is gone — rows, leaves,
    // checkpoints; the sealer then seals other rows in the freed places (as the copy's would).
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query('DELETE FROM audit_events WHERE id IN (SELECT audit_event_id FROM audit_leaves WHERE leaf_index >= $1)', [keep]);
      await admin.query('DELETE FROM audit_leaves WHERE leaf_index >= $1', [keep]);
      await admin.query('DELETE FROM audit_checkpoints WHERE tree_size > $1', [keep]);
      await admin.query('COMMIT');
    } finally {
      await admin.end();
    }

    for (const url of urls) {
      const seen = await waitFor(`the alarm on ${url}`, async () => {
        const current = await readiness(url);
        return current.body.audit?.alarm === 'history_rewritten' ? current : null;
      });
      // Logins still work: the alarm is a detail, not unreadiness.
      expect(seen.status).toBe(200);
      expect(seen.body.ready).toBe(true);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/holdfast_audit_history_rewritten\{gateway="gw-[ab]",region="region-[12]"\} 1/);
    }
    await waitFor('an audit.history_rewritten row from each gateway', async () => {
      const { rows } = await env.db.pool.query<{ gateway_id: string }>("SELECT DISTINCT gateway_id FROM audit_events WHERE type = 'audit.history_rewritten'");
      return rows.length === 2;
    });
    // The gateways stop sealing: none signs a checkpoint over a history it doubts.
    const size = await count(env.db, 'SELECT COALESCE(max(tree_size), 0) FROM audit_checkpoints');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await count(env.db, 'SELECT COALESCE(max(tree_size), 0) FROM audit_checkpoints')).toBe(size);
  });
});
