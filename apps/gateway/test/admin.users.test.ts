import { createApplication } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import type { AdminUserDetail } from '@holdfast/validators';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, dataOf, mutate, query, signInEnrollingTotp } from './admin.support';
import { enrollTotpUser, freshCode, startEnvironment, wrongCodes } from './support/fixtures';

interface AdminActionRow {
  detail: { adminId: string; action: string; target: string | null; before: unknown; after: unknown; refused?: string };
  user_id: string | null;
  application_id: string | null;
}

// Users & factors in the admin console (issue 13), at the API level: two real gateway processes on
// one real Postgres, the relying application's API key for the user's side, admin sessions
// (signed in with TOTP through the gateways) for the console's.
describe('[ADMIN_UNLOCK] admin.users.*: find, unlock after a step-up, revoke, send an enrollment link; roles refused by the API', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let a = '';
  let b = '';
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
    const [first, second] = env.gateways;
    if (first === undefined || second === undefined) throw new Error('two gateways expected');
    a = first.url;
    b = second.url;
  }, 90_000);
  afterAll(async () => {
    await env.stop();
  });

  /** The session's second factor is now older than the 5-minute step-up window (its times moved back). */
  async function staleStepUp(token: string): Promise<void> {
    await env.db.pool.query(
      `UPDATE admin_sessions SET created_at = created_at - interval '6 minutes', mfa_at = mfa_at - interval '6 minutes', step_up_at = NULL
        WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
      [token.slice(4)],
    );
  }

  async function adminActions(adminId: string): Promise<AdminActionRow[]> {
    const { rows } = await env.db.pool.query<AdminActionRow>(
      `SELECT detail, user_id, application_id FROM audit_events WHERE type = 'admin.action' AND detail->>'adminId' = $1 ORDER BY id`,
      [adminId],
    );
    return rows;
  }

  async function userDetail(url: string, token: string, applicationId: string, userId: string): Promise<AdminUserDetail | null> {
    return dataOf<{ user: AdminUserDetail | null }>(await query(url, 'admin.users.get', token, { applicationId, userId })).user;
  }

  it('a user locked by wrong codes is found locked, unlocked by helpdesk only after a step-up, and then verifies', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const app = createHoldfastClient({ gateways: [a, b], apiKey: user.apiKey, deadlineMs: 30_000 });
    // The default threshold: the 10th consecutive wrong code locks the factor for 15 minutes.
    for (const [i, code] of (await wrongCodes(user.secret, 10)).entries()) {
      expect(await app.verifyTotp({ userId: user.userId, code, attemptId: `lock-wrong-${i}` })).toMatchObject({ outcome: 'rejected', reason: 'invalid_code' });
    }
    const first = await freshCode(user.secret, user.confirmedStep);
    expect(await app.verifyTotp({ userId: user.userId, code: first.code, attemptId: 'right-while-locked' })).toMatchObject({
      outcome: 'rejected',
      reason: 'locked',
    });

    const helpdeskAdmin = await createTestAdmin(env.db, 'helpdesk');
    const helpdesk = await signInEnrollingTotp(a, helpdeskAdmin);
    const token = helpdesk.session.sessionToken;

    // Found by a prefix of the application's own id, shown locked.
    const listed = dataOf<{ users: Array<{ userId: string; factorCount: number; isLocked: boolean }>; nextCursor: string | null }>(
      await query(b, 'admin.users.list', token, { applicationId: user.applicationId, query: user.userId.slice(0, 7) }),
    );
    expect(listed.users).toEqual([expect.objectContaining({ userId: user.userId, factorCount: 1, isLocked: true })]);
    expect(listed.nextCursor).toBeNull();

    const locked = await userDetail(a, token, user.applicationId, user.userId);
    expect(locked).toMatchObject({ applicationId: user.applicationId, userId: user.userId, lockedUntil: null, bypass: null });
    expect(locked?.factors).toEqual([
      expect.objectContaining({ id: user.factorId, kind: 'totp', label: 'phone', status: 'active', failedCount: 10, device: null }),
    ]);
    expect(new Date(locked?.factors[0]?.lockedUntil ?? 0).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    // Newest first, at most 10: the locked try, then the wrong codes.
    expect(locked?.recentAttempts).toHaveLength(10);
    expect(locked?.recentAttempts[0]).toMatchObject({ kind: 'totp', outcome: 'rejected', reason: 'locked' });
    expect(locked?.recentAttempts[1]).toMatchObject({ kind: 'totp', outcome: 'rejected', reason: 'invalid_code' });
    // Nothing secret in what the console gets.
    expect(JSON.stringify(locked)).not.toContain(user.secret);

    // No fresh second factor: refused, audited as refused, nothing changed.
    await staleStepUp(token);
    const unlockInput = { applicationId: user.applicationId, userId: user.userId, factorId: null };
    const refused = await mutate(b, 'admin.users.unlock', unlockInput, token);
    expect([refused.status, refused.code]).toEqual([403, 'ADMIN_STEP_UP_REQUIRED']);
    expect((await userDetail(a, token, user.applicationId, user.userId))?.factors[0]?.failedCount).toBe(10);

    dataOf(await mutate(a, 'admin.session.stepUpTotp', { code: await helpdesk.codes.next() }, token));
    const unlocked = dataOf<{ unlockedFactorIds: string[]; accountUnlocked: boolean; user: AdminUserDetail }>(
      await mutate(b, 'admin.users.unlock', unlockInput, token),
    );
    expect(unlocked.unlockedFactorIds).toEqual([user.factorId]);
    expect(unlocked.accountUnlocked).toBe(true);
    expect(unlocked.user.failedCount).toBe(0);
    expect(unlocked.user.factors[0]).toMatchObject({ failedCount: 0, lockedUntil: null });
    const relisted = dataOf<{ users: Array<{ isLocked: boolean }> }>(
      await query(a, 'admin.users.list', token, { applicationId: user.applicationId, query: user.userId }),
    );
    expect(relisted.users.map((row) => row.isLocked)).toEqual([false]);

    // The user signs in again.
    const next = await freshCode(user.secret, first.step);
    expect(await app.verifyTotp({ userId: user.userId, code: next.code, attemptId: 'after-unlock' })).toMatchObject({ outcome: 'accepted' });
    const after = await userDetail(b, token, user.applicationId, user.userId);
    expect(after?.recentAttempts[0]).toMatchObject({ kind: 'totp', outcome: 'accepted', reason: null });
    expect(after?.factors[0]?.lastUsedAt).not.toBeNull();

    // The trail: the refusal, then the unlock with who, what, target, before and after — and the
    // relying application's own unlock events, marked as the admin's.
    const actions = await adminActions(helpdeskAdmin.id);
    expect(actions.map((row) => row.detail)).toEqual([
      expect.objectContaining({ action: 'users.unlock', refused: 'ADMIN_STEP_UP_REQUIRED' }),
      expect.objectContaining({
        action: 'users.unlock',
        target: expect.stringMatching(/^user:/) as unknown,
        before: {
          account: { failedCount: 10, lockedUntil: null },
          factors: [{ id: user.factorId, kind: 'totp', failedCount: 10, lockedUntil: expect.any(String) as unknown }],
        },
        after: {
          account: { failedCount: 0, lockedUntil: null },
          factors: [{ id: user.factorId, kind: 'totp', failedCount: 0, lockedUntil: null }],
          unlockedFactorIds: [user.factorId],
          accountUnlocked: true,
        },
      }),
    ]);
    expect(actions[1]?.application_id).toBe(user.applicationId);
    expect(actions[1]?.detail.target).toBe(`user:${actions[1]?.user_id ?? ''}`);
    const unlockEvents = await env.db.pool.query<{ type: string; by: string }>(
      `SELECT type, detail->>'by' AS by FROM audit_events WHERE type IN ('factor.unlocked', 'account.unlocked') AND application_id = $1 ORDER BY id`,
      [user.applicationId],
    );
    expect(unlockEvents.rows).toEqual([
      { type: 'factor.unlocked', by: 'admin' },
      { type: 'account.unlocked', by: 'admin' },
    ]);
  });

  it('helpdesk sends an enrollment link the enrollment API accepts, only after a step-up, but may not revoke a factor', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const helpdeskAdmin = await createTestAdmin(env.db, 'helpdesk');
    const { session, codes } = await signInEnrollingTotp(b, helpdeskAdmin);
    const token = session.sessionToken;
    const linkInput = { applicationId: user.applicationId, userId: user.userId, ttlSeconds: 600 };

    // Sending a link needs a step-up: for a user with no bound factor its holder binds the first
    // one (a reset of the user's MFA), and it ends the user's link in progress.
    await staleStepUp(token);
    const refused = await mutate(a, 'admin.users.sendEnrollmentLink', linkInput, token);
    expect([refused.status, refused.code]).toEqual([403, 'ADMIN_STEP_UP_REQUIRED']);
    dataOf(await mutate(b, 'admin.session.stepUpTotp', { code: await codes.next() }, token));
    const link = dataOf<{ url: string; expiresAt: string }>(await mutate(a, 'admin.users.sendEnrollmentLink', linkInput, token));
    const linkToken = /\/enroll\/([^/?#]+)$/.exec(link.url)?.[1] ?? '';
    expect(linkToken).not.toBe('');
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(new Date(link.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    const enrollment = createEnrollmentClient({ gateways: [b], deadlineMs: 20_000 });
    await enrollment.redeem(linkToken);
    const own = await enrollment.factors();
    expect([own.userId, own.factors.map((factor) => factor.id)]).toEqual([user.userId, [user.factorId]]);

    // A user the application does not have gets no link (an admin does not make users).
    const unknown = await mutate(a, 'admin.users.sendEnrollmentLink', { applicationId: user.applicationId, userId: 'nobody-here' }, token);
    expect([unknown.status, unknown.code]).toEqual([404, 'USER_NOT_FOUND']);

    // The role is checked first: no step-up makes a helpdesk able to revoke.
    const forbidden = await mutate(b, 'admin.users.revokeFactor', { applicationId: user.applicationId, userId: user.userId, factorId: user.factorId }, token);
    expect([forbidden.status, forbidden.code]).toEqual([403, 'ADMIN_FORBIDDEN']);
    expect((await userDetail(a, token, user.applicationId, user.userId))?.factors[0]?.status).toBe('active');

    // The user's own enrollment session (from enrolling) was live: the admin's link ended it.
    const { rows: links } = await env.db.pool.query<{ id: string; ended_reason: string | null }>(
      `SELECT l.id, l.ended_reason::text AS ended_reason FROM enrollment_links l JOIN users u ON u.id = l.user_id
        WHERE u.application_id = $1 AND u.external_id = $2 ORDER BY l.created_at`,
      [user.applicationId, user.userId],
    );
    expect(links.map((row) => row.ended_reason)).toEqual(['superseded', null]);
    const actions = await adminActions(helpdeskAdmin.id);
    expect(actions.map((row) => row.detail)).toEqual([
      expect.objectContaining({ action: 'users.send_enrollment_link', refused: 'ADMIN_STEP_UP_REQUIRED' }),
      expect.objectContaining({
        action: 'users.send_enrollment_link',
        target: `user:${actions[1]?.user_id ?? ''}`,
        before: { liveLinkIds: [links[0]?.id] },
        after: { linkId: links[1]?.id, expiresAt: link.expiresAt, supersededLinkIds: [links[0]?.id] },
      }),
      expect.objectContaining({ action: 'users.revoke_factor', refused: 'ADMIN_FORBIDDEN' }),
    ]);
    // The link's token is shown once to the admin and stored nowhere: not in the trail either.
    const trail = await env.db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_events WHERE detail::text LIKE '%' || $1 || '%'`, [linkToken]);
    expect(trail.rows[0]?.n).toBe('0');
  });

  it('an admin revokes a factor after a step-up; it stops verifying at once; the trail has before and after', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const adminAccount = await createTestAdmin(env.db, 'admin');
    const signedIn = await signInEnrollingTotp(a, adminAccount);
    const token = signedIn.session.sessionToken;
    const input = { applicationId: user.applicationId, userId: user.userId, factorId: user.factorId };

    await staleStepUp(token);
    expect((await mutate(b, 'admin.users.revokeFactor', input, token)).code).toBe('ADMIN_STEP_UP_REQUIRED');
    dataOf(await mutate(b, 'admin.session.stepUpTotp', { code: await signedIn.codes.next() }, token));
    const revoked = dataOf<{ user: AdminUserDetail }>(await mutate(a, 'admin.users.revokeFactor', input, token));
    expect(revoked.user.factors).toEqual([expect.objectContaining({ id: user.factorId, status: 'revoked' })]);
    const listed = dataOf<{ users: Array<{ factorCount: number }> }>(
      await query(b, 'admin.users.list', token, { applicationId: user.applicationId, query: user.userId }),
    );
    expect(listed.users.map((row) => row.factorCount)).toEqual([0]);

    const { code } = await freshCode(user.secret, user.confirmedStep);
    const verify = await mutate(b, 'verify.totp', { userId: user.userId, code, attemptId: 'after-revoke' }, user.apiKey);
    expect([verify.status, verify.code]).toEqual([404, 'FACTOR_NOT_FOUND']);

    const actions = await adminActions(adminAccount.id);
    expect(actions.map((row) => row.detail)).toEqual([
      expect.objectContaining({ action: 'users.revoke_factor', refused: 'ADMIN_STEP_UP_REQUIRED' }),
      expect.objectContaining({
        action: 'users.revoke_factor',
        target: `factor:${user.factorId}`,
        before: { factor: { id: user.factorId, kind: 'totp', status: 'active' } },
        after: { factor: { id: user.factorId, kind: 'totp', status: 'revoked' } },
      }),
    ]);
    const revokedEvent = await env.db.pool.query<{ by: string }>(
      `SELECT detail->>'by' AS by FROM audit_events WHERE type = 'factor.revoked' AND factor_id = $1`,
      [user.factorId],
    );
    expect(revokedEvent.rows).toEqual([{ by: 'admin' }]);
  });

  it('a user id of one application never reaches another application’s user; canary and system users do not exist here', async () => {
    const shared = `shared-${randomUUID().slice(0, 8)}`;
    const one = await enrollTotpUser({ db: env.db, gatewayUrl: a, userId: shared });
    const other = await enrollTotpUser({ db: env.db, gatewayUrl: b, userId: shared });
    const ownerAccount = await createTestAdmin(env.db, 'owner');
    const { session } = await signInEnrollingTotp(a, ownerAccount);
    const token = session.sessionToken;

    const seen = await userDetail(b, token, other.applicationId, shared);
    expect(seen?.factors.map((factor) => factor.id)).toEqual([other.factorId]);
    // The first application's factor, named under the second application: not found, not touched.
    const crossRevoke = await mutate(a, 'admin.users.revokeFactor', { applicationId: other.applicationId, userId: shared, factorId: one.factorId }, token);
    expect(crossRevoke.code).toBe('FACTOR_NOT_FOUND');
    const crossUnlock = await mutate(a, 'admin.users.unlock', { applicationId: other.applicationId, userId: shared, factorId: one.factorId }, token);
    expect(crossUnlock.code).toBe('FACTOR_NOT_FOUND');
    expect((await userDetail(a, token, one.applicationId, shared))?.factors[0]?.status).toBe('active');
    // An application with no users, and an unknown one: nobody.
    const empty = await createApplication({ prisma: env.db.prisma, name: `empty-${randomUUID().slice(0, 6)}` });
    expect(await userDetail(a, token, empty.applicationId, shared)).toBeNull();
    expect(await userDetail(a, token, randomUUID(), shared)).toBeNull();

    // The system application's users are the admins themselves; the canary's user is the health check's.
    const canaryId = randomUUID();
    await env.db.pool.query('INSERT INTO applications (id, name, is_canary) VALUES ($1, $2, true)', [canaryId, `canary-${canaryId.slice(0, 6)}`]);
    await env.db.pool.query('INSERT INTO users (id, application_id, external_id) VALUES ($1, $2, $3)', [randomUUID(), canaryId, 'canary-user']);
    const system = await env.db.pool.query<{ id: string }>('SELECT id FROM applications WHERE is_system');
    const systemId = system.rows[0]?.id ?? '';
    const hidden = [
      { applicationId: canaryId, userId: 'canary-user' },
      { applicationId: systemId, userId: `admin:${ownerAccount.id}` },
    ];
    for (const ref of hidden) {
      expect(await userDetail(b, token, ref.applicationId, ref.userId)).toBeNull();
      const listed = dataOf<{ users: unknown[] }>(await query(a, 'admin.users.list', token, { applicationId: ref.applicationId }));
      expect(listed.users).toEqual([]);
      for (const [procedure, extra] of [
        ['admin.users.unlock', { factorId: null }],
        ['admin.users.sendEnrollmentLink', {}],
      ] as const) {
        const answer = await mutate(b, procedure, { ...ref, ...extra }, token);
        expect([answer.status, answer.code]).toEqual([404, 'USER_NOT_FOUND']);
      }
    }
  });

  it('shows a live bypass code by its existence only, never as a factor', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const ownerAccount = await createTestAdmin(env.db, 'owner');
    const { session } = await signInEnrollingTotp(b, ownerAccount);
    // A bypass as admin.bypass.issue stores it (its own tests cover issuing): a factor row of kind
    // bypass with its code row; only a salted HMAC of the code.
    const bypassId = randomUUID();
    await env.db.pool.query(
      `INSERT INTO factors (id, user_id, kind, label, status)
       SELECT $1, id, 'bypass', 'Bypass code', 'active' FROM users WHERE application_id = $2 AND external_id = $3`,
      [bypassId, user.applicationId, user.userId],
    );
    const { rows } = await env.db.pool.query<{ created_at: Date; expires_at: Date }>(
      `INSERT INTO bypass_codes (factor_id, salt, hash, expires_at, issued_by_admin_id)
       VALUES ($1, $2, $3, now() + interval '1 hour', $4) RETURNING created_at, expires_at`,
      [bypassId, Buffer.alloc(16, 1), Buffer.alloc(32, 2), ownerAccount.id],
    );
    const detail = await userDetail(a, session.sessionToken, user.applicationId, user.userId);
    expect(detail?.bypass).toEqual({ issuedAt: rows[0]?.created_at.toISOString(), expiresAt: rows[0]?.expires_at.toISOString() });
    expect(detail?.factors.map((factor) => factor.kind)).toEqual(['totp']);
    const listed = dataOf<{ users: Array<{ factorCount: number }> }>(
      await query(b, 'admin.users.list', session.sessionToken, { applicationId: user.applicationId, query: user.userId }),
    );
    expect(listed.users.map((row) => row.factorCount)).toEqual([1]);
    // Used: gone from the page.
    await env.db.pool.query('UPDATE bypass_codes SET used_at = now() WHERE factor_id = $1', [bypassId]);
    expect((await userDetail(a, session.sessionToken, user.applicationId, user.userId))?.bypass).toBeNull();
  });

  it('recent attempts: only the last 30 days, and a read that takes over 1 s leaves the list empty rather than failing the page', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const { session } = await signInEnrollingTotp(b, await createTestAdmin(env.db, 'helpdesk'));
    const token = session.sessionToken;
    for (const [attemptId, age] of [
      ['older-than-30-days', '31 days'],
      ['yesterday', '1 day'],
    ] as const) {
      await env.db.pool.query(
        `INSERT INTO verification_attempts (id, application_id, attempt_id, request_hash, user_id, outcome, reason, gateway_id, region, created_at)
         SELECT $1, u.application_id, $2, $3, u.id, 'rejected', 'invalid_code', 'gw-test', 'test', now() - $4::interval
           FROM users u WHERE u.application_id = $5 AND u.external_id = $6`,
        [randomUUID(), attemptId, Buffer.alloc(32, 7), age, user.applicationId, user.userId],
      );
    }
    const detail = await userDetail(a, token, user.applicationId, user.userId);
    expect(detail?.recentAttempts).toEqual([{ at: expect.any(String) as string, kind: null, outcome: 'rejected', reason: 'invalid_code' }]);
    expect(Date.now() - new Date(detail?.recentAttempts[0]?.at ?? 0).getTime()).toBeLessThan(2 * 86_400_000);

    // Stand-in for a long backwards walk of the attempts table: the read waits on a lock until its
    // statement_timeout; the page still answers, with the user's factors and no history.
    const locker = await env.db.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE verification_attempts IN ACCESS EXCLUSIVE MODE');
      const startedAt = Date.now();
      const slow = await userDetail(b, token, user.applicationId, user.userId);
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      expect(slow?.recentAttempts).toEqual([]);
      expect(slow?.factors.map((factor) => factor.id)).toEqual([user.factorId]);
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
  });

  it('lists in pages by id prefix', async () => {
    const { applicationId, apiKey } = await createApplication({ prisma: env.db.prisma, name: `paged-${randomUUID().slice(0, 6)}` });
    const app = createHoldfastClient({ gateways: [a], apiKey, deadlineMs: 30_000 });
    for (const id of ['p_1', 'p%2', 'p_3', 'q_1']) await app.createEnrollmentLink({ userId: id });
    const { session } = await signInEnrollingTotp(b, await createTestAdmin(env.db, 'helpdesk'));
    const page = async (cursor: string | null) =>
      dataOf<{ users: Array<{ userId: string }>; nextCursor: string | null }>(
        await query(a, 'admin.users.list', session.sessionToken, { applicationId, query: 'p', limit: 2, cursor }),
      );
    const first = await page(null);
    expect(first.users.map((row) => row.userId)).toHaveLength(2);
    const second = await page(first.nextCursor);
    expect(second.nextCursor).toBeNull();
    expect([...first.users, ...second.users].map((row) => row.userId).sort()).toEqual(['p%2', 'p_1', 'p_3']);
    // A literal % or _ in the query is not a wildcard.
    const literal = dataOf<{ users: Array<{ userId: string }> }>(await query(a, 'admin.users.list', session.sessionToken, { applicationId, query: 'p%' }));
    expect(literal.users.map((row) => row.userId)).toEqual(['p%2']);
    expect((await query(a, 'admin.users.list', session.sessionToken, { applicationId, cursor: 'not-a-cursor' })).code).toBe('BAD_REQUEST');
  });

  it('[ADMIN_ROLES] an auditor is refused every admin.users procedure; a relying-app API key is no admin credential', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const auditorAccount = await createTestAdmin(env.db, 'auditor');
    const { session } = await signInEnrollingTotp(a, auditorAccount);
    const ref = { applicationId: user.applicationId, userId: user.userId };
    const calls: Array<{ procedure: string; input: unknown; isQuery: boolean }> = [
      { procedure: 'admin.users.list', input: { applicationId: user.applicationId }, isQuery: true },
      { procedure: 'admin.users.get', input: ref, isQuery: true },
      { procedure: 'admin.users.unlock', input: { ...ref, factorId: null }, isQuery: false },
      { procedure: 'admin.users.revokeFactor', input: { ...ref, factorId: user.factorId }, isQuery: false },
      { procedure: 'admin.users.sendEnrollmentLink', input: ref, isQuery: false },
    ];
    for (const call of calls) {
      const asAuditor = call.isQuery
        ? await query(b, call.procedure, session.sessionToken, call.input)
        : await mutate(b, call.procedure, call.input, session.sessionToken);
      expect([call.procedure, asAuditor.status, asAuditor.code]).toEqual([call.procedure, 403, 'ADMIN_FORBIDDEN']);
      const withKey = call.isQuery ? await query(a, call.procedure, user.apiKey, call.input) : await mutate(a, call.procedure, call.input, user.apiKey);
      expect([call.procedure, withKey.status, withKey.code]).toEqual([call.procedure, 401, 'ADMIN_SESSION_INVALID']);
    }
    const actions = await adminActions(auditorAccount.id);
    expect(actions.map((row) => [row.detail.action, row.detail.refused])).toEqual([
      ['users.read', 'ADMIN_FORBIDDEN'],
      ['users.read', 'ADMIN_FORBIDDEN'],
      ['users.unlock', 'ADMIN_FORBIDDEN'],
      ['users.revoke_factor', 'ADMIN_FORBIDDEN'],
      ['users.send_enrollment_link', 'ADMIN_FORBIDDEN'],
    ]);
  });
});
