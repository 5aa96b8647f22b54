import { defaultRetentionPolicy, runRetention } from '@holdfast/api';
import { createApplication } from '@holdfast/db';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvironment } from './support/fixtures';

const hour = 3_600_000;
const ago = (ms: number): Date => new Date(Date.now() - ms);

// Issue 8, hole 4: nothing was ever deleted — attempts, challenges, links and hosted rows grew
// for ever, as fast as traffic (or a flood) could make them.
describe('[RETENTION] the retention job', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({
      gateways: 1,
      // Small batches so one run needs several; often, so the test does not wait long.
      env: { HOLDFAST_RETENTION_INTERVAL_MS: '300', HOLDFAST_RETENTION_FIRST_RUN_MS: '300', HOLDFAST_RETENTION_BATCH: '7' },
    });
  });
  afterAll(async () => {
    await env.stop();
  });

  async function seed(): Promise<{ keep: Record<string, string[]>; drop: Record<string, string[]> }> {
    const { pool } = env.db;
    const { applicationId } = await createApplication({ prisma: env.db.prisma, name: `retention-${randomUUID().slice(0, 8)}` });
    const user = await env.db.prisma.user.create({ data: { applicationId, externalId: `u-${randomUUID()}` }, select: { id: true } });
    const keep: Record<string, string[]> = {};
    const drop: Record<string, string[]> = {};
    const add = (into: Record<string, string[]>, table: string, id: string): void => {
      (into[table] ??= []).push(id);
    };
    const attempt = async (createdAt: Date): Promise<string> => {
      const id = randomUUID();
      await pool.query(
        `INSERT INTO verification_attempts (id, application_id, attempt_id, request_hash, user_id, outcome, gateway_id, region, created_at)
         VALUES ($1, $2, $3, $4, $5, 'accepted', 'gw-test', 'test', $6)`,
        [id, applicationId, `a-${id}`, randomBytes(32), user.id, createdAt],
      );
      return id;
    };
    // 20 old attempts (three batches of 7), and recent ones: inside the replay window and after it.
    for (let i = 0; i < 20; i += 1) add(drop, 'verification_attempts', await attempt(ago(25 * hour)));
    add(keep, 'verification_attempts', await attempt(ago(5 * 60_000)));
    add(keep, 'verification_attempts', await attempt(ago(3 * hour)));

    const challenge = async (expiresAt: Date, consumedAt: Date | null): Promise<string> => {
      const id = randomUUID();
      await pool.query(
        `INSERT INTO webauthn_challenges (id, application_id, user_id, ceremony, challenge, expires_at, consumed_at)
         VALUES ($1, $2, $3, 'authentication', $4, $5, $6)`,
        [id, applicationId, user.id, randomBytes(32), expiresAt, consumedAt],
      );
      return id;
    };
    add(drop, 'webauthn_challenges', await challenge(ago(25 * hour), null));
    add(drop, 'webauthn_challenges', await challenge(new Date(Date.now() + 5 * 60_000), ago(25 * hour)));
    add(keep, 'webauthn_challenges', await challenge(new Date(Date.now() + 5 * 60_000), null));
    add(keep, 'webauthn_challenges', await challenge(ago(hour), ago(hour)));

    const link = async (expiresAt: Date, sessionExpiresAt: Date | null): Promise<string> => {
      const id = randomUUID();
      await pool.query(
        `INSERT INTO enrollment_links (id, application_id, user_id, token_hash, expires_at, session_hash, session_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, applicationId, user.id, randomBytes(32), expiresAt, sessionExpiresAt === null ? null : randomBytes(32), sessionExpiresAt],
      );
      return id;
    };
    add(drop, 'enrollment_links', await link(ago(25 * hour), null));
    add(drop, 'enrollment_links', await link(ago(26 * hour), ago(25 * hour)));
    add(keep, 'enrollment_links', await link(ago(25 * hour), new Date(Date.now() + hour)));
    add(keep, 'enrollment_links', await link(new Date(Date.now() + 15 * 60_000), null));

    // The result row is awaited by jti too: a run may delete results, then (after this seed adds
    // one) the transactions — that result goes in the next run, which the wait must include.
    const transaction = async (expiresAt: Date, into: Record<string, string[]>): Promise<string> => {
      const id = randomUUID();
      await pool.query(
        `INSERT INTO verification_transactions (id, application_id, user_id, token_hash, callback_url, state, expires_at)
         VALUES ($1, $2, $3, $4, 'https://app.example/callback', 'state', $5)`,
        [id, applicationId, user.id, randomBytes(32), expiresAt],
      );
      const jti = randomUUID();
      await pool.query(`INSERT INTO verification_results (jti, application_id, transaction_id, expires_at) VALUES ($1, $2, $3, $4)`, [
        jti,
        applicationId,
        id,
        expiresAt,
      ]);
      add(into, 'verification_results', jti);
      return id;
    };
    const oldTransaction = await transaction(ago(25 * hour), drop);
    add(drop, 'verification_transactions', oldTransaction);
    add(keep, 'verification_transactions', await transaction(new Date(Date.now() + 10 * 60_000), keep));

    const counter = async (minute: Date): Promise<string> => {
      const keyId = randomBytes(8).toString('hex');
      await pool.query(`INSERT INTO auth_failure_counters (key_id, minute, count, first_seen, last_seen, reason) VALUES ($1, $2, 3, $2, $2, 'wrong_secret')`, [
        keyId,
        minute,
      ]);
      return keyId;
    };
    add(drop, 'auth_failure_counters', await counter(ago(31 * 24 * hour)));
    add(keep, 'auth_failure_counters', await counter(ago(hour)));
    return { keep, drop };
  }

  const idColumn: Record<string, string> = {
    verification_attempts: 'id',
    webauthn_challenges: 'id',
    enrollment_links: 'id',
    verification_transactions: 'id',
    verification_results: 'jti',
    auth_failure_counters: 'key_id',
  };
  async function present(table: string, ids: string[]): Promise<string[]> {
    const column = idColumn[table] ?? 'id';
    const { rows } = await env.db.pool.query<{ id: string }>(`SELECT ${column}::text AS id FROM ${table} WHERE ${column}::text = ANY($1)`, [ids]);
    return rows.map((r) => r.id).sort();
  }

  it('a gateway deletes old attempts, spent challenges, expired links and hosted rows, old counters — in batches — and keeps the rest', async () => {
    const { keep, drop } = await seed();
    const oldAudit = await env.db.pool.query<{ id: string }>(
      `INSERT INTO audit_events (type, gateway_id, region, occurred_at) VALUES ('verify.accepted', 'gw-test', 'test', now() - interval '500 days') RETURNING id::text`,
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      const left = await Promise.all(Object.entries(drop).map(async ([table, ids]) => (await present(table, ids)).length));
      if (left.every((n) => n === 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const [table, ids] of Object.entries(drop)) expect({ table, left: await present(table, ids) }).toEqual({ table, left: [] });
    for (const [table, ids] of Object.entries(keep)) expect({ table, kept: await present(table, ids) }).toEqual({ table, kept: [...ids].sort() });
    const results = await env.db.pool.query<{ expired: string }>(
      `SELECT count(*)::text AS expired FROM verification_results WHERE expires_at < now() - interval '24 hours'`,
    );
    expect(results.rows[0]?.expired).toBe('0');
    // The audit trail is not touched by default (its retention is separate and off).
    expect((await env.db.pool.query('SELECT 1 FROM audit_events WHERE id = $1', [oldAudit.rows[0]?.id])).rowCount).toBe(1);
  });

  it('runs one at a time across gateways, and never deletes audit rows', async () => {
    const holder = await env.db.pool.connect();
    try {
      // Another process holding the lock: this run skips its round.
      await holder.query('SELECT pg_advisory_lock($1)', [0x6872_7431]);
      const skipped = await runRetention({ pool: env.db.pool, policy: defaultRetentionPolicy, now: new Date() });
      expect(skipped).toEqual({ ran: false, deleted: {}, errors: {} });
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [0x6872_7431]);
      holder.release();
    }
    const old = await env.db.pool.query<{ id: string }>(
      `INSERT INTO audit_events (type, gateway_id, region, occurred_at) VALUES ('verify.accepted', 'gw-test', 'test', now() - interval '5000 days') RETURNING id::text AS id`,
    );
    // Even run by the test database's owner (who may delete audit rows), the job never touches the
    // trail: a hole in the sealed log is allowed only below a signed mark (holdfast audit prune).
    let report = await runRetention({ pool: env.db.pool, policy: defaultRetentionPolicy, now: new Date() });
    for (let tries = 0; !report.ran && tries < 400; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      report = await runRetention({ pool: env.db.pool, policy: defaultRetentionPolicy, now: new Date() });
    }
    expect(report.ran).toBe(true);
    expect(report.deleted.audit_events).toBeUndefined();
    expect((await env.db.pool.query('SELECT 1 FROM audit_events WHERE id = $1', [old.rows[0]?.id])).rowCount).toBe(1);
    // Shorter than the 10-minute attempt replay window is refused.
    await expect(runRetention({ pool: env.db.pool, policy: { ...defaultRetentionPolicy, expiredRowHours: 0.1 }, now: new Date() })).rejects.toThrow(
      /replay window/,
    );
  });
});
