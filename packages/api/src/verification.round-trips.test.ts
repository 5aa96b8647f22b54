import {
  createTotpSecret,
  encryptSecret,
  generateRecoveryCodes,
  generateTotpCode,
  hashRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeLookupTag,
  totpSecretAad,
  type TotpParams,
} from '@holdfast/core';
import { randomBytes } from 'node:crypto';
import { createApplication, createDatabase, type Database } from '@holdfast/db';
import { createTestDatabase, startSilentStandbyPostgres, type SilentStandbyPostgres } from '@holdfast/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApplicationPrincipal, ServiceDeps } from './deps';
import { verifyRecoveryCode } from './services/verify/verify-recovery-code';
import { verifyTotp } from './services/verify/verify-totp';
import { createTestServiceDeps } from './test-support/service-deps';
import { noLockoutOverrides } from './services/verify/lockout-policy';

/**
 * Issue 9: the verification hot path costs two database round trips — one read, one write
 * statement — and keeps every guarantee of the locked path it replaced. Counted at the wire: every
 * statement this process sends goes through `pg.Client.prototype.query` (pool.query included).
 */
const sent: string[] = [];
const clientPrototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const originalQuery = clientPrototype.query;

function countStatements(): void {
  clientPrototype.query = function (this: unknown, ...args: unknown[]): unknown {
    const first = args[0];
    sent.push(typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String(first.text) : '?');
    return originalQuery.apply(this, args);
  };
}

const params: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };

describe('[HOT_PATH_ROUND_TRIPS] a verification is one read and one write statement', () => {
  let server: SilentStandbyPostgres;
  let db: Database;
  let deps: ServiceDeps;
  let application: ApplicationPrincipal;
  let secret: string;
  let recoveryCodes: string[];
  let now = new Date('2026-11-28T12:00:00Z');

  beforeAll(async () => {
    server = await startSilentStandbyPostgres();
    const database = await createTestDatabase(server.url);
    db = createDatabase({ url: database.url, poolMax: 4 });
    deps = createTestServiceDeps(db, { clock: () => now, requestDeadlineMs: 1_500 });
    const created = await createApplication({ prisma: db.prisma, name: 'round trips' });
    // As the API key's lookup hands it over: with the application's lockout overrides (none).
    application = { id: created.applicationId, name: 'round trips', failMode: 'secure', lockout: noLockoutOverrides };
    const user = await db.prisma.user.create({ data: { applicationId: created.applicationId, externalId: 'erin' } });
    secret = createTotpSecret({ random: deps.random, algorithm: params.algorithm });
    const factor = await db.prisma.factor.create({ data: { userId: user.id, kind: 'totp', label: 'Phone', status: 'active' } });
    await db.prisma.totpFactor.create({
      data: {
        factorId: factor.id,
        secretEnc: encryptSecret({ keyring: deps.keyring, plaintext: secret, aad: totpSecretAad(factor.id), random: deps.random }),
        algorithm: params.algorithm,
        digits: params.digits,
        period: params.period,
        lastStep: 0,
      },
    });
    const set = await db.prisma.factor.create({ data: { userId: user.id, kind: 'recovery_codes', label: 'Recovery codes', status: 'active' } });
    recoveryCodes = generateRecoveryCodes({ random: deps.random, count: 3 });
    for (const recoveryCode of recoveryCodes) {
      const salt = randomBytes(16);
      const canonical = normalizeRecoveryCode(recoveryCode) ?? '';
      await db.prisma.recoveryCode.create({
        data: {
          factorId: set.id,
          salt,
          hash: Buffer.from(await hashRecoveryCode({ code: canonical, salt })),
          lookupTag: recoveryCodeLookupTag({ setId: set.id, code: recoveryCode }),
        },
      });
    }
    countStatements();
  });
  afterAll(async () => {
    clientPrototype.query = originalQuery;
    await server.requireStandby(false);
    await db.close();
    await server.stop();
  });
  beforeEach(() => {
    sent.length = 0;
  });

  const code = (): Promise<string> => generateTotpCode({ secret, params, at: now });
  const totp = (attemptId: string, presented: string): ReturnType<typeof verifyTotp> =>
    verifyTotp({ deps, application, attemptId, externalUserId: 'erin', factorId: null, code: presented });

  it('accepted, rejected and replayed TOTP codes and a recovery code each take two statements', async () => {
    expect(await totp('rt-accepted', await code())).toMatchObject({ outcome: 'accepted', replayed: false });
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatch(/^WITH locked AS/);

    sent.length = 0;
    expect(await totp('rt-wrong', (await code()) === '000000' ? '111111' : '000000')).toMatchObject({ outcome: 'rejected', reason: 'invalid_code' });
    expect(sent).toHaveLength(2);

    sent.length = 0;
    expect(await totp('rt-replay', await code())).toMatchObject({ outcome: 'rejected', reason: 'replay' });
    expect(sent).toHaveLength(2);

    sent.length = 0;
    const recovery = recoveryCodes[0] ?? '';
    expect(await verifyRecoveryCode({ deps, application, attemptId: 'rt-recovery', externalUserId: 'erin', code: recovery })).toMatchObject({
      outcome: 'accepted',
    });
    expect(sent).toHaveLength(2);

    // Everything the locked path wrote is there: counters, attempt rows, audit rows.
    const attempts = await db.prisma.verificationAttempt.findMany({ orderBy: { createdAt: 'asc' }, select: { attemptId: true, outcome: true, reason: true } });
    expect(attempts.map((a) => [a.attemptId, a.outcome, a.reason])).toEqual([
      ['rt-accepted', 'accepted', null],
      ['rt-wrong', 'rejected', 'invalid_code'],
      ['rt-replay', 'rejected', 'replay'],
      ['rt-recovery', 'accepted', null],
    ]);
    const audit = await db.prisma.auditEvent.findMany({
      where: { attemptId: { startsWith: 'rt-' } },
      orderBy: { id: 'asc' },
      select: { type: true, attemptId: true },
    });
    expect(audit.map((a) => [a.type, a.attemptId])).toEqual([
      ['verify.accepted', 'rt-accepted'],
      ['verify.rejected', 'rt-wrong'],
      ['verify.rejected', 'rt-replay'],
      ['verify.accepted', 'rt-recovery'],
    ]);
    const totpFactor = await db.prisma.factor.findFirstOrThrow({ where: { kind: 'totp' } });
    // The wrong code counted, the accepted recovery code reset only its own factor's counter.
    expect(totpFactor.failedCount).toBe(1);
    const usedCodes = await db.prisma.recoveryCode.count({ where: { usedAt: { not: null } } });
    expect(usedCodes).toBe(1);
  });

  it('[HOT_PATH_NOT_REPLICATED] a write whose standby never acknowledges is not acknowledged, then replayed once it does', async () => {
    now = new Date(now.getTime() + 60_000);
    await server.requireStandby(true);
    const canceller = server.cancelStandbyWaits();
    const fresh = await code();
    await expect(totp('rt-unreplicated', fresh)).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    const cancelled = await canceller.stop();
    // The first wait cancelled was the hot path's one write statement; later ones the replay's barrier.
    expect(cancelled[0]).toMatch(/^WITH locked AS/);
    await server.requireStandby(false);
    expect(await totp('rt-unreplicated', fresh)).toMatchObject({ outcome: 'accepted', replayed: true });
  });
});
