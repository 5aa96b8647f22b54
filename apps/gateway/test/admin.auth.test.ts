import { createApplication, generateApiKey } from '@holdfast/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, dataOf, mutate, query, signInEnrollingTotp, type SignedIn } from './admin.support';
import { enrollTotpUser, startEnvironment } from './support/fixtures';
import { createSoftwareAuthenticator } from './support/software-authenticator';

// Admin sign-in (issue 13) against two real gateway processes on one real Postgres.
describe('admin console sign-in, sessions, step-up and roles', () => {
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

  async function shiftSession(token: string, minutes: { created?: number; mfa?: number; lastSeen?: number; stepUp?: number | null }): Promise<void> {
    // Moving the stored times back is the clock moving forward for this session only.
    await env.db.pool.query(
      `UPDATE admin_sessions SET created_at = created_at - make_interval(mins => $2), mfa_at = mfa_at - make_interval(mins => $3),
              last_seen_at = last_seen_at - make_interval(mins => $4), step_up_at = NULL
        WHERE id = (SELECT id FROM admin_sessions s WHERE s.token_hash = sha256(convert_to($1, 'UTF8')))`,
      [token.slice(4), minutes.created ?? 0, minutes.mfa ?? 0, minutes.lastSeen ?? 0],
    );
  }

  describe('[ADMIN_LOGIN_MFA] a password alone is not enough; the second factor goes through the gateway write path', () => {
    it('password → pending token refused by every admin procedure; TOTP makes a session; a replayed code is refused', async () => {
      const owner = await createTestAdmin(env.db, 'owner');
      const { session, codes } = await signInEnrollingTotp(a, owner);
      await mutate(a, 'admin.session.signOut', {}, session.sessionToken);

      const started = dataOf<{ pendingToken: string; mustEnroll: boolean; enrolledFactors: string[] }>(
        await mutate(b, 'admin.auth.signIn', { email: owner.email.toUpperCase(), password: owner.password }),
      );
      expect(started.mustEnroll).toBe(false);
      expect(started.enrolledFactors).toEqual(['totp']);
      expect(started.pendingToken).toMatch(/^hfp_/);
      for (const procedure of ['admin.session.me', 'admin.admins.list']) {
        const refused = await query(a, procedure, started.pendingToken);
        expect([refused.status, refused.code]).toEqual([401, 'ADMIN_SESSION_INVALID']);
      }
      expect((await mutate(a, 'admin.session.signOut', {}, started.pendingToken)).code).toBe('ADMIN_SESSION_INVALID');
      // A pending sign-in cannot enroll a second factor over the one it has.
      expect((await mutate(a, 'admin.auth.enrollTotpBegin', { pendingToken: started.pendingToken })).code).toBe('ALREADY_ENROLLED');

      const code = await codes.next();
      const signedIn = dataOf<SignedIn>(await mutate(b, 'admin.auth.verifyTotp', { pendingToken: started.pendingToken, code }));
      expect(signedIn.sessionToken).toMatch(/^hfa_/);
      const me = dataOf<{ admin: { email: string; role: string }; session: { stepUpUntil: string | null } }>(
        await query(a, 'admin.session.me', signedIn.sessionToken),
      );
      expect(me.admin).toMatchObject({ email: owner.email, role: 'owner' });
      expect(me.session.stepUpUntil).not.toBeNull();
      // The pending token is spent: it was replaced by the session's.
      expect((await mutate(a, 'admin.auth.verifyTotp', { pendingToken: started.pendingToken, code })).code).toBe('ADMIN_SESSION_INVALID');

      // The same code on a new sign-in, on the other gateway: single use, refused by the write path.
      const again = dataOf<{ pendingToken: string }>(await mutate(a, 'admin.auth.signIn', { email: owner.email, password: owner.password }));
      const replay = await mutate(a, 'admin.auth.verifyTotp', { pendingToken: again.pendingToken, code });
      expect([replay.status, replay.code]).toEqual([401, 'ADMIN_SIGN_IN_FAILED']);
      const { rows } = await env.db.pool.query<{ outcome: string; reason: string | null }>(
        `SELECT va.outcome::text AS outcome, va.reason FROM verification_attempts va JOIN users u ON u.id = va.user_id
          JOIN admin_accounts ad ON ad.user_id = u.id WHERE ad.id = $1 AND va.attempt_id LIKE 'admin-signin-%' ORDER BY va.created_at`,
        [owner.id],
      );
      expect(rows.map((row) => row.outcome)).toEqual(['accepted', 'rejected']);
      expect(rows[1]?.reason).toBe('replay');
      const audit = await env.db.pool.query<{ type: string }>(
        `SELECT type FROM audit_events WHERE detail->>'adminId' = $1 AND type LIKE 'admin.%' ORDER BY id`,
        [owner.id],
      );
      expect(audit.rows.map((row) => row.type)).toEqual(['admin.created', 'admin.signed_in', 'admin.signed_out', 'admin.signed_in', 'admin.sign_in_failed']);
    });

    it('unknown email, wrong password and a disabled account get the same answer', async () => {
      const admin = await createTestAdmin(env.db, 'auditor');
      const disabled = await createTestAdmin(env.db, 'auditor');
      await env.db.pool.query('UPDATE admin_accounts SET disabled_at = now() WHERE id = $1', [disabled.id]);
      const answers = [
        await mutate(a, 'admin.auth.signIn', { email: 'nobody@holdfast.example', password: admin.password }),
        await mutate(a, 'admin.auth.signIn', { email: admin.email, password: `${admin.password}x` }),
        await mutate(a, 'admin.auth.signIn', { email: disabled.email, password: disabled.password }),
      ];
      for (const answer of answers)
        expect({ status: answer.status, code: answer.code, message: answer.message }).toEqual({
          status: 401,
          code: 'ADMIN_SIGN_IN_FAILED',
          message: answers[0]?.message,
        });
    });

    it('wrong passwords lock the account across two gateway processes (counted in the database)', async () => {
      const admin = await createTestAdmin(env.db, 'helpdesk');
      for (let i = 0; i < 5; i += 1) {
        const answer = await mutate(i % 2 === 0 ? a : b, 'admin.auth.signIn', { email: admin.email, password: `wrong-password-${i}` });
        expect(answer.code).toBe('ADMIN_SIGN_IN_FAILED');
      }
      // The right password, on either gateway: refused — with the same answer as a wrong one, so a
      // lock tells neither which emails are admins nor which guess of a burst was right.
      for (const url of [a, b]) {
        const locked = await mutate(url, 'admin.auth.signIn', { email: admin.email, password: admin.password });
        expect([locked.status, locked.code]).toEqual([401, 'ADMIN_SIGN_IN_FAILED']);
      }
      const reasons = await env.db.pool.query<{ reason: string }>(
        "SELECT detail->>'reason' AS reason FROM audit_events WHERE type = 'admin.sign_in_failed' AND detail->>'adminId' = $1 ORDER BY id",
        [admin.id],
      );
      expect(reasons.rows.map((row) => row.reason)).toEqual([...Array<string>(4).fill('wrong_password'), 'wrong_password_locked', 'locked', 'locked']);
      const { rows } = await env.db.pool.query<{ locked: boolean }>('SELECT locked_until > now() AS locked FROM admin_accounts WHERE id = $1', [admin.id]);
      expect(rows[0]?.locked).toBe(true);
    });

    it('a burst of concurrent guesses spends at most 5 tries, and the right one among them is not told apart', async () => {
      const admin = await createTestAdmin(env.db, 'auditor');
      const guesses = Array.from({ length: 12 }, (_, i) => (i === 9 ? admin.password : `burst-guess-${i}`));
      const answers = await Promise.all(guesses.map((password, i) => mutate(i % 2 === 0 ? a : b, 'admin.auth.signIn', { email: admin.email, password })));
      // Whatever the right guess got, every refusal looks the same.
      // (A 503 GATEWAY_OVERLOADED is the password gate's queue being full: it comes before any check.)
      const refused = answers.filter((answer) => answer.status !== 200);
      const kinds = new Set(refused.map((answer) => `${String(answer.status)} ${answer.code ?? ''}`));
      expect(kinds.has('401 ADMIN_SIGN_IN_FAILED')).toBe(true);
      expect([...kinds].every((kind) => kind === '401 ADMIN_SIGN_IN_FAILED' || kind === '503 GATEWAY_OVERLOADED')).toBe(true);
      // Only 5 derivations were ever checked against the real hash (the rest were refused up front).
      const checked = await env.db.pool.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM audit_events WHERE type = 'admin.sign_in_failed' AND detail->>'adminId' = $1 AND detail->>'reason' LIKE 'wrong_password%'",
        [admin.id],
      );
      expect(Number(checked.rows[0]?.n) + (answers.length - refused.length)).toBeLessThanOrEqual(5);
    });
  });

  describe('[ADMIN_FIRST_OWNER] a CLI-created owner must enroll a second factor at first sign-in', () => {
    it('enrolls a passkey at first sign-in, then signs in and steps up with it', async () => {
      const owner = await createTestAdmin(env.db, 'owner');
      const started = dataOf<{ pendingToken: string; mustEnroll: boolean; enrolledFactors: string[] }>(
        await mutate(a, 'admin.auth.signIn', { email: owner.email, password: owner.password }),
      );
      expect([started.mustEnroll, started.enrolledFactors]).toEqual([true, []]);
      // Nothing but enrollment is possible before it: no factor to verify.
      expect((await mutate(a, 'admin.auth.verifyTotp', { pendingToken: started.pendingToken, code: '123456' })).code).toBe('ADMIN_SIGN_IN_FAILED');

      const authenticator = createSoftwareAuthenticator({ origin: 'http://localhost:3003', rpId: 'localhost' });
      const creation = dataOf<{ options: { challenge: string; rp: { id: string }; authenticatorSelection: { userVerification: string } } }>(
        await mutate(a, 'admin.auth.enrollWebauthnBegin', { pendingToken: started.pendingToken }),
      );
      expect(creation.options.rp.id).toBe('localhost');
      expect(creation.options.authenticatorSelection.userVerification).toBe('required');
      // The ceremony from another origin (the end-user portal's) does not verify.
      const wrongOrigin = await mutate(b, 'admin.auth.enrollWebauthnFinish', {
        pendingToken: started.pendingToken,
        response: authenticator.register({ challenge: creation.options.challenge, origin: 'http://localhost:3000' }),
      });
      expect(wrongOrigin.code).toBe('WEBAUTHN_VERIFICATION_FAILED');
      const retry = dataOf<{ options: { challenge: string } }>(await mutate(a, 'admin.auth.enrollWebauthnBegin', { pendingToken: started.pendingToken }));
      const enrolled = dataOf<SignedIn>(
        await mutate(b, 'admin.auth.enrollWebauthnFinish', {
          pendingToken: started.pendingToken,
          response: authenticator.register({ challenge: retry.options.challenge }),
        }),
      );
      expect(enrolled.admin.role).toBe('owner');

      const next = dataOf<{ pendingToken: string; mustEnroll: boolean; enrolledFactors: string[] }>(
        await mutate(b, 'admin.auth.signIn', { email: owner.email, password: owner.password }),
      );
      expect([next.mustEnroll, next.enrolledFactors]).toEqual([false, ['webauthn']]);
      const request = dataOf<{ options: { challenge: string } }>(await mutate(b, 'admin.auth.webauthnBegin', { pendingToken: next.pendingToken }));
      const session = dataOf<SignedIn>(
        await mutate(a, 'admin.auth.webauthnFinish', {
          pendingToken: next.pendingToken,
          response: authenticator.authenticate({ challenge: request.options.challenge }),
        }),
      );
      expect(session.sessionToken).toMatch(/^hfa_/);

      // [ADMIN_STEP_UP] with a passkey.
      await shiftSession(session.sessionToken, { created: 6, mfa: 6 });
      const other = await createTestAdmin(env.db, 'auditor');
      const setRole = { adminId: other.id, role: 'helpdesk' };
      expect((await mutate(a, 'admin.admins.setRole', setRole, session.sessionToken)).code).toBe('ADMIN_STEP_UP_REQUIRED');
      const stepUp = dataOf<{ options: { challenge: string } }>(await mutate(a, 'admin.session.stepUpWebauthnBegin', {}, session.sessionToken));
      dataOf(
        await mutate(
          b,
          'admin.session.stepUpWebauthnFinish',
          { response: authenticator.authenticate({ challenge: stepUp.options.challenge }) },
          session.sessionToken,
        ),
      );
      expect(dataOf(await mutate(a, 'admin.admins.setRole', setRole, session.sessionToken))).toEqual({ id: other.id, role: 'helpdesk' });
    });
  });

  describe('[ADMIN_STEP_UP] step-up actions need a second factor within 5 minutes', () => {
    it('refuses without a fresh factor, allows after a TOTP step-up, and audits before and after', async () => {
      const owner = await createTestAdmin(env.db, 'owner');
      const target = await createTestAdmin(env.db, 'auditor');
      const { session, codes } = await signInEnrollingTotp(a, owner);
      // Six minutes later (the session's times moved back), still active, but no fresh factor.
      await shiftSession(session.sessionToken, { created: 6, mfa: 6 });
      const refused = await mutate(b, 'admin.admins.setRole', { adminId: target.id, role: 'admin' }, session.sessionToken);
      expect([refused.status, refused.code]).toEqual([403, 'ADMIN_STEP_UP_REQUIRED']);
      expect((await mutate(b, 'admin.session.stepUpTotp', { code: '000000' }, session.sessionToken)).code).toBe('ADMIN_SIGN_IN_FAILED');
      const stepped = dataOf<{ stepUpUntil: string }>(await mutate(b, 'admin.session.stepUpTotp', { code: await codes.next() }, session.sessionToken));
      expect(new Date(stepped.stepUpUntil).getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
      expect(dataOf(await mutate(a, 'admin.admins.setRole', { adminId: target.id, role: 'admin' }, session.sessionToken))).toEqual({
        id: target.id,
        role: 'admin',
      });
      const { rows } = await env.db.pool.query<{ detail: { action: string; before: unknown; after: unknown; refused?: string } }>(
        `SELECT detail FROM audit_events WHERE type = 'admin.action' AND detail->>'adminId' = $1 ORDER BY id`,
        [owner.id],
      );
      expect(rows.map((row) => row.detail)).toEqual([
        expect.objectContaining({ action: 'admins.write', refused: 'ADMIN_STEP_UP_REQUIRED' }),
        expect.objectContaining({ action: 'admins.write', before: { role: 'auditor' }, after: { role: 'admin' }, target: `admin:${target.id}` }),
      ]);
    });
  });

  describe('[ADMIN_ROLES] the API refuses what a role may not do', () => {
    it('auditor and helpdesk cannot read or change admins; an admin reads but cannot change roles', async () => {
      const auditor = await signInEnrollingTotp(a, await createTestAdmin(env.db, 'auditor'));
      const helpdesk = await signInEnrollingTotp(b, await createTestAdmin(env.db, 'helpdesk'));
      const admin = await signInEnrollingTotp(a, await createTestAdmin(env.db, 'admin'));
      for (const { session } of [auditor, helpdesk]) {
        const refused = await query(a, 'admin.admins.list', session.sessionToken);
        expect([refused.status, refused.code]).toEqual([403, 'ADMIN_FORBIDDEN']);
        expect((await mutate(b, 'admin.admins.setRole', { adminId: session.admin.id, role: 'owner' }, session.sessionToken)).code).toBe('ADMIN_FORBIDDEN');
      }
      const listed = dataOf<{ admins: Array<{ id: string; factors: string[] }> }>(await query(b, 'admin.admins.list', admin.session.sessionToken));
      expect(listed.admins.find((row) => row.id === admin.session.admin.id)?.factors).toEqual(['totp']);
      expect((await mutate(a, 'admin.admins.setRole', { adminId: admin.session.admin.id, role: 'owner' }, admin.session.sessionToken)).code).toBe(
        'ADMIN_FORBIDDEN',
      );
      // Every role may see its own session.
      for (const { session } of [auditor, helpdesk, admin]) expect((await query(a, 'admin.session.me', session.sessionToken)).status).toBe(200);
    });

    it('admin tokens are refused on relying-app and enrollment procedures, API keys and enrollment sessions on admin ones', async () => {
      const { session } = await signInEnrollingTotp(a, await createTestAdmin(env.db, 'owner'));
      const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
      const onApp = await mutate(a, 'verify.totp', { userId: user.userId, attemptId: 'admin-token-probe', code: '123456' }, session.sessionToken);
      expect([onApp.status, onApp.code]).toEqual([401, 'UNAUTHENTICATED']);
      expect((await mutate(a, 'totp.beginEnrollment', { label: 'x' }, session.sessionToken)).code).toBe('ENROLLMENT_SESSION_INVALID');
      for (const bearer of [user.apiKey, `hfs_${'A'.repeat(43)}`, session.sessionToken.replace('hfa_', 'hfp_')]) {
        const refused = await query(b, 'admin.session.me', bearer);
        expect([refused.status, refused.code]).toEqual([401, 'ADMIN_SESSION_INVALID']);
      }
      // The system application can never hold an API key.
      const { rows } = await env.db.pool.query<{ id: string }>('SELECT id FROM applications WHERE is_system');
      const key = generateApiKey();
      await expect(
        env.db.pool.query('INSERT INTO api_keys (id, application_id, secret_hash) VALUES ($1, $2, $3)', [key.keyId, rows[0]?.id, Buffer.from(key.secretHash)]),
      ).rejects.toThrow(/no API keys/);
      const app = await createApplication({ prisma: env.db.prisma, name: 'not-system' });
      expect(app.apiKey).toMatch(/^hf_/);
    });
  });

  describe('admin sessions end: 30 minutes idle, 12 hours absolute, sign-out', () => {
    it('an idle, an old and a signed-out session are refused', async () => {
      const owner = await createTestAdmin(env.db, 'auditor');
      const idle = await signInEnrollingTotp(a, owner);
      await shiftSession(idle.session.sessionToken, { created: 31, mfa: 31, lastSeen: 31 });
      expect((await query(a, 'admin.session.me', idle.session.sessionToken)).code).toBe('ADMIN_SESSION_INVALID');

      const fresh = async (): Promise<string> => {
        const started = dataOf<{ pendingToken: string }>(await mutate(b, 'admin.auth.signIn', { email: owner.email, password: owner.password }));
        return dataOf<SignedIn>(await mutate(b, 'admin.auth.verifyTotp', { pendingToken: started.pendingToken, code: await idle.codes.next() })).sessionToken;
      };
      const old = await fresh();
      await shiftSession(old, { created: 12 * 60 + 1, mfa: 12 * 60 });
      expect((await query(b, 'admin.session.me', old)).code).toBe('ADMIN_SESSION_INVALID');

      const out = await fresh();
      expect((await query(a, 'admin.session.me', out)).status).toBe(200);
      dataOf(await mutate(b, 'admin.session.signOut', {}, out));
      expect((await query(a, 'admin.session.me', out)).code).toBe('ADMIN_SESSION_INVALID');
      expect((await query(b, 'admin.session.me', out)).code).toBe('ADMIN_SESSION_INVALID');
    });

    it('a pending sign-in expires after 10 minutes', async () => {
      const owner = await createTestAdmin(env.db, 'auditor');
      const first = await signInEnrollingTotp(a, owner);
      const started = dataOf<{ pendingToken: string }>(await mutate(a, 'admin.auth.signIn', { email: owner.email, password: owner.password }));
      await shiftSession(started.pendingToken, { created: 11, lastSeen: 11 });
      expect((await mutate(a, 'admin.auth.verifyTotp', { pendingToken: started.pendingToken, code: await first.codes.next() })).code).toBe(
        'ADMIN_SESSION_INVALID',
      );
    });
  });
});
