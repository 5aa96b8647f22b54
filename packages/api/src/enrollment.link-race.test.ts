import { createApplication, createDatabase, type Database } from '@holdfast/db';
import { createTestDatabase } from '@holdfast/db/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ServiceDeps } from './deps';
import { createCaller } from './router';
import { createTestServiceDeps } from './test-support/service-deps';

describe('[ENROLL_LINK_RACE] one enrollment link redeemed 20 times at once', () => {
  let db: Database;
  let drop: () => Promise<void>;
  let deps: ServiceDeps;
  beforeAll(async () => {
    const database = await createTestDatabase(inject('pgAdminUrl'));
    drop = database.drop;
    db = createDatabase({ url: database.url, poolMax: 20 });
    deps = createTestServiceDeps(db);
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('yields exactly one enrollment session; every other try is refused as used and audited', async () => {
    const app = await createApplication({ prisma: db.prisma, name: 'race app' });
    const link = await createCaller({ deps, bearer: app.apiKey }).enrollment.createLink({ userId: 'carol' });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => createCaller({ deps, bearer: null }).enrollment.redeem({ token: link.token })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(19);
    for (const r of rejected) expect((r.reason as { code?: string }).code).toBe('PRECONDITION_FAILED');
    expect(await db.prisma.auditEvent.count({ where: { type: 'enrollment.link_redeemed' } })).toBe(1);
    expect(await db.prisma.auditEvent.count({ where: { type: 'enrollment.link_rejected' } })).toBe(19);
  });
});
