import { createApplication, createDatabase, type Database } from '@holdfast/db';
import { createTestDatabase, startSilentStandbyPostgres, type SilentStandbyPostgres } from '@holdfast/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplicationPrincipal, ServiceDeps } from './deps';
import { verifyRecoveryCode } from './services/verify/verify-recovery-code';
import { createTestServiceDeps } from './test-support/service-deps';

/**
 * Invariant 2 at the call site: a retried verification whose outcome is already recorded is
 * answered from the `verification_attempts` row, and that row may come from a commit whose wait for
 * the synchronous standby was cancelled (on the primary only). `runVerification` must pass the
 * replication barrier before it acknowledges such an outcome. On a primary whose standby never
 * acknowledges, the retry therefore must not answer; without the barrier it answers at once.
 * Called at the service, below the procedure middleware, so the barrier's COMMIT is the only one.
 */
describe('[REPLICATION_BARRIER] a recorded outcome is not acknowledged before the standby has it', () => {
  let server: SilentStandbyPostgres;
  let db: Database;
  let deps: ServiceDeps;
  let application: ApplicationPrincipal;
  beforeAll(async () => {
    server = await startSilentStandbyPostgres();
    const database = await createTestDatabase(server.url);
    db = createDatabase({ url: database.url, poolMax: 4 });
    deps = createTestServiceDeps(db, { requestDeadlineMs: 1_500 });
    const created = await createApplication({ prisma: db.prisma, name: 'barrier app' });
    application = { id: created.applicationId, name: 'barrier app', failMode: 'secure' };
    // A user with an (empty) recovery-code set: any guess is recorded as invalid_code.
    const user = await db.prisma.user.create({ data: { applicationId: created.applicationId, externalId: 'dave' } });
    await db.prisma.factor.create({ data: { userId: user.id, kind: 'recovery_codes', label: 'Recovery codes', status: 'active' } });
  });
  afterAll(async () => {
    await server.requireStandby(false);
    await db.close();
    await server.stop();
  });

  const verify = (): ReturnType<typeof verifyRecoveryCode> =>
    verifyRecoveryCode({ deps, application, attemptId: 'barrier-attempt-1', externalUserId: 'dave', code: 'ABCDE-FGHJK' });

  it('a retry waits for the standby and, while it never acknowledges, answers DATABASE_UNAVAILABLE', async () => {
    const first = await verify();
    expect(first).toMatchObject({ outcome: 'rejected', reason: 'invalid_code' });

    await server.requireStandby(true);
    const canceller = server.cancelStandbyWaits();
    // Each try reaches the recorded row, then the barrier's COMMIT waits for the standby until its
    // wait is cancelled (CommitNotReplicatedError, retried) — until the request deadline.
    await expect(verify()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    const cancelled = await canceller.stop();
    expect(cancelled.length).toBeGreaterThan(0);
    expect(new Set(cancelled)).toEqual(new Set(['COMMIT']));

    // Once a standby acknowledges again (here: none is required), the same retry gets the recorded outcome.
    await server.requireStandby(false);
    expect(await verify()).toEqual({ ...first, replayed: true });
    expect(await db.prisma.verificationAttempt.count()).toBe(1);
  });
});
