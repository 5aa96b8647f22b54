import { parseKeyring } from '@holdfast/core';
import { createDatabase, type Database } from '@holdfast/db';
import { createTestDatabase } from '@holdfast/db/testing';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditVerifyIntervalMs, auditVerifyLockKey, readAuditStatus, runAuditVerification } from './audit-status';

const keyring = parseKeyring({ keys: `k1:${randomBytes(32).toString('base64')}`, activeKeyId: 'k1' });

describe('admin.audit.verify: one run per deployment, rate-limited per process', () => {
  let db: Database;
  let gatewayUrl: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const database = await createTestDatabase(inject('pgAdminUrl'));
    drop = database.drop;
    gatewayUrl = database.gatewayUrl;
    db = createDatabase({ url: database.gatewayUrl, poolMax: 4 });
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('the interval is max(60 s, 10 × the last run)', () => {
    expect(auditVerifyIntervalMs(0)).toBe(60_000);
    expect(auditVerifyIntervalMs(5_000)).toBe(60_000);
    expect(auditVerifyIntervalMs(30_000)).toBe(300_000);
  });

  it('while another gateway holds the lock: "a verification is running"; then one run, whose result is reused', async () => {
    const deps = { db, keyring, clock: () => new Date() };
    const other = new pg.Client({ connectionString: gatewayUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [auditVerifyLockKey]);
      const refused = runAuditVerification(deps);
      await expect(refused).rejects.toMatchObject({ code: 'GATEWAY_OVERLOADED' });
      await expect(refused).rejects.toThrow(/verification is running/);
      await other.query('SELECT pg_advisory_unlock($1)', [auditVerifyLockKey]);
    } finally {
      await other.end();
    }
    const first = await runAuditVerification(deps);
    expect(first.ok).toBe(true);
    // Within the interval: the same result, not a second run; the status names when it ran.
    expect(await runAuditVerification(deps)).toBe(first);
    const status = await readAuditStatus({ deps: { ...deps, requestDeadlineMs: 5_000 } });
    expect(status.lastVerification?.at).toBe(first.at);
    // The lock is free again after the run.
    const { rows } = await db.pool.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked, pg_advisory_unlock($1)', [auditVerifyLockKey]);
    expect(rows[0]?.locked).toBe(true);
  });
});
