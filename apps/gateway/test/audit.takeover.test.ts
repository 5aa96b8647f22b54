import { writeAuditEvent, createDatabase, type Database } from '@holdfast/db';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, runAuditCli, sealingGatewayId, waitFor } from './audit.support';
import { startEnvironment } from './support/fixtures';

// Issue 12: one sealer at a time (a session advisory lock); when the sealing gateway dies, the
// lock dies with its connection and another gateway seals within its next interval (1 s).
describe('[AUDIT_SEALER_TAKEOVER] the sealing gateway is killed under audited load', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let stateDir: string;
  let writerDb: Database;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'holdfast-audit-test-'));
    env = await startEnvironment({ gateways: 2, env: { HOLDFAST_AUDIT_STATE_DIR: stateDir } });
    // Audited load written as gateways write it: the gateway role, one transaction per event.
    writerDb = createDatabase({ url: env.gatewayDatabaseUrl, poolMax: 4 });
  });
  afterAll(async () => {
    await writerDb.close();
    await env.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('another gateway seals within 3 s; leaf indexes 0..n-1 exactly once, every row sealed once', async () => {
    const sealer = await waitFor('a gateway to take the sealer lock', () => sealingGatewayId(env.db));
    const victim = env.gateways.find((gateway) => gateway.gatewayId === sealer);
    const survivor = env.gateways.find((gateway) => gateway.gatewayId !== sealer);
    if (victim === undefined || survivor === undefined) throw new Error(`sealer ${sealer} is not one of the test's gateways`);

    let isWriting = true;
    let written = 0;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      while (isWriting) {
        await writeAuditEvent(writerDb.pool, { type: 'keys.rotated', gatewayId: 'load', region: 'test', detail: { w, n: written } });
        written += 1;
      }
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const before = await count(env.db, 'SELECT COALESCE(max(tree_size), 0) FROM audit_checkpoints');
      expect(before).toBeGreaterThan(0);
      await victim.kill();
      const killedAt = Date.now();
      await waitFor(
        'a checkpoint by the surviving gateway',
        async () => (await sealingGatewayId(env.db)) === survivor.gatewayId && (await count(env.db, 'SELECT max(tree_size) FROM audit_checkpoints')) > before,
        10_000,
        50,
      );
      expect(Date.now() - killedAt).toBeLessThan(3_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      isWriting = false;
      await Promise.all(writers);
    }
    expect(written).toBeGreaterThan(100);

    // Everything committed by now is sealed within a few passes.
    const lastId = await count(env.db, 'SELECT max(id) FROM audit_events');
    await waitFor(
      'every row up to the last load write sealed',
      async () =>
        (await count(
          env.db,
          'SELECT count(*) FROM audit_events WHERE id <= $1 AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.audit_event_id = audit_events.id)',
          [lastId],
        )) === 0,
    );
    const snapshot = await env.db.pool.query<{ leaves: string; distinct_events: string; min_index: string; max_index: string; rows_with_leaf: string }>(
      `SELECT count(*)::text AS leaves, count(DISTINCT audit_event_id)::text AS distinct_events, min(leaf_index)::text AS min_index, max(leaf_index)::text AS max_index,
              (SELECT count(*) FROM audit_events e WHERE EXISTS (SELECT 1 FROM audit_leaves l WHERE l.audit_event_id = e.id))::text AS rows_with_leaf
         FROM audit_leaves`,
    );
    const stats = snapshot.rows[0];
    const leaves = Number(stats?.leaves);
    // No gap, no double: indexes 0..n-1, each row once, each leaf a row.
    expect(Number(stats?.min_index)).toBe(0);
    expect(Number(stats?.max_index)).toBe(leaves - 1);
    expect(Number(stats?.distinct_events)).toBe(leaves);
    expect(Number(stats?.rows_with_leaf)).toBe(leaves);
    const verify = await runAuditCli(['verify'], env.gatewayDatabaseUrl);
    expect(verify.stdout).toContain('verified');
    expect(verify.code).toBe(0);
  });
});
