import { createHoldfastClient, verifyWebhookSignature } from '@holdfast/sdk';
import type { AdminUserDetail } from '@holdfast/validators';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, dataOf, mutate, signInEnrollingTotp } from './admin.support';
import { enrollTotpUser, postTrpc, startEnvironment } from './support/fixtures';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** The relying application's webhook endpoint: records every request, answers 200. */
async function startReceiver(): Promise<{ url: string; received: () => Received[]; stop: () => Promise<void> }> {
  const log: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      log.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver address expected');
  return {
    url: `http://127.0.0.1:${String(address.port)}/hooks`,
    received: () => [...log],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function waitFor<T>(read: () => T | Promise<T>, isDone: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Issued {
  code: string;
  expiresAt: string;
  user: AdminUserDetail;
}

// One-time bypass codes (issue 13) at the API level: two real gateway processes on one real
// Postgres; the admin signs in with TOTP through the gateways, the relying application verifies the
// code with its API key, its webhook endpoint is a local HTTP server.
describe('[ADMIN_BYPASS] admin.bypass.issue after step-up; the webhook tells the app; verify.bypassCode works once', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let a = '';
  let b = '';
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2, env: { HOLDFAST_WEBHOOK_POLL_INTERVAL_MS: '100' } });
    receiver = await startReceiver();
    const [first, second] = env.gateways;
    if (first === undefined || second === undefined) throw new Error('two gateways expected');
    a = first.url;
    b = second.url;
  }, 90_000);
  afterAll(async () => {
    await env.stop();
    await receiver.stop();
  });

  /** The session's second factor is now older than the 5-minute step-up window. */
  async function staleStepUp(token: string): Promise<void> {
    await env.db.pool.query(
      `UPDATE admin_sessions SET created_at = created_at - interval '6 minutes', mfa_at = mfa_at - interval '6 minutes', step_up_at = NULL
        WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
      [token.slice(4)],
    );
  }

  it('owner and admin issue after a step-up only; the app hears bypass.issued (signed, no code); the code works once', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    // For the hosted page's check below (set long before it: every gateway has re-read the application by then).
    const callbackUrl = 'https://app.example.com/mfa/callback';
    await env.db.pool.query('UPDATE applications SET callback_urls = $2 WHERE id = $1', [user.applicationId, [callbackUrl]]);
    const configured = await postTrpc(a, 'webhooks.configure', { url: receiver.url }, user.apiKey);
    const secret = (configured.json as { result: { data: { secret: string } } }).result.data.secret;
    const app = createHoldfastClient({ gateways: [a, b], apiKey: user.apiKey, deadlineMs: 30_000 });
    const ref = { applicationId: user.applicationId, userId: user.userId };

    const ownerAdmin = await createTestAdmin(env.db, 'owner');
    const owner = await signInEnrollingTotp(a, ownerAdmin);
    const token = owner.session.sessionToken;
    await staleStepUp(token);
    expect((await mutate(b, 'admin.bypass.issue', ref, token)).code).toBe('ADMIN_STEP_UP_REQUIRED');
    expect((await env.db.pool.query("SELECT 1 FROM factors WHERE kind = 'bypass'")).rowCount).toBe(0);
    dataOf(await mutate(a, 'admin.session.stepUpTotp', { code: await owner.codes.next() }, token));

    const first = dataOf<Issued>(await mutate(b, 'admin.bypass.issue', { ...ref, ttlMinutes: 30 }, token));
    expect(first.code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(Date.parse(first.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(first.user.bypass?.expiresAt).toBe(first.expiresAt);
    expect(Date.parse(first.user.bypass?.issuedAt ?? '')).toBeLessThanOrEqual(Date.now());
    // The console's factor list never shows it as one of the user's factors.
    expect(first.user.factors.map((f) => f.kind)).toEqual(['totp']);

    // Only a salted hash is stored: the code appears in no column of any row written.
    const stored = await env.db.pool.query<{ salt: Buffer; hash: Buffer; issued_by_admin_id: string }>(
      'SELECT salt, hash, issued_by_admin_id FROM bypass_codes',
    );
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.issued_by_admin_id).toBe(ownerAdmin.id);
    const canonical = first.code.replaceAll('-', '');
    const dump = await env.db.pool.query<{ text: string }>(
      "SELECT string_agg(detail::text, ' ') AS text FROM audit_events WHERE type IN ('bypass.issued', 'admin.action')",
    );
    expect(dump.rows[0]?.text).not.toContain(canonical);
    expect(dump.rows[0]?.text).not.toContain(first.code);

    // The admin.action row with before/after and the bypass.issued row, both committed.
    const audit = await env.db.pool.query<{ type: string; detail: Record<string, unknown> }>(
      `SELECT type, detail FROM audit_events WHERE type IN ('bypass.issued', 'admin.action') AND detail->>'adminId' = $1 ORDER BY id`,
      [ownerAdmin.id],
    );
    const issuedRow = audit.rows.find((row) => row.type === 'bypass.issued');
    expect(issuedRow?.detail).toMatchObject({ kind: 'bypass', expiresAt: first.expiresAt, endedFactorIds: [] });
    const action = audit.rows.filter((row) => row.type === 'admin.action' && row.detail.action === 'users.issue_bypass');
    expect(action.map((row) => row.detail.refused ?? null)).toEqual(['ADMIN_STEP_UP_REQUIRED', null]);
    expect(action[1]?.detail).toMatchObject({ before: { bypass: null }, after: { bypass: { expiresAt: first.expiresAt } } });

    // The application's webhook: bypass.issued, signed, naming the user and the factor, never the code.
    const hooks = await waitFor(receiver.received, (r) => r.some((x) => x.body.includes('bypass.issued')));
    const hook = hooks.find((x) => x.body.includes('bypass.issued'));
    if (hook === undefined) throw new Error('bypass.issued expected');
    const event = verifyWebhookSignature({ secret, headers: hook.headers, body: hook.body });
    expect(event).toMatchObject({ type: 'bypass.issued', applicationId: user.applicationId, data: { userId: user.userId, factorKind: 'bypass' } });
    expect(hook.body).not.toContain(canonical);
    expect(hook.body).not.toContain(first.code);

    // Preauth offers it while it can work, so the app can show a code box.
    expect((await app.preauth({ userId: user.userId })).result).toBe('auth');
    const offered = await app.preauth({ userId: user.userId });
    expect(offered.result === 'auth' ? offered.factors.map((f) => f.kind).sort() : []).toEqual(['bypass', 'totp']);
    // The hosted page has no form for a bypass code (the application checks it): not offered there.
    const hosted = await app.createTransaction({ userId: user.userId, callbackUrl, state: 'bypass-hosted' });
    const hostedToken = /\/verify\/([A-Za-z0-9_-]{43})$/.exec(hosted.url)?.[1] ?? '';
    const hostedPage = await fetch(`${b}/trpc/hosted.getTransaction?input=${encodeURIComponent(JSON.stringify({ token: hostedToken }))}`);
    expect(await hostedPage.json()).toMatchObject({ result: { data: { factors: ['totp'] } } });

    // A new bypass ends the earlier unused one.
    const second = dataOf<Issued>(await mutate(a, 'admin.bypass.issue', ref, token));
    expect(second.code).not.toBe(first.code);
    expect(await app.verifyBypassCode({ userId: user.userId, code: first.code, attemptId: 'bypass-old-code' })).toMatchObject({
      outcome: 'rejected',
      reason: 'invalid_code',
    });

    // Works once (whatever the case and separators the user types), on either gateway.
    const typed = second.code.toLowerCase().replaceAll('-', ' ');
    const accepted = await app.verifyBypassCode({ userId: user.userId, code: typed, attemptId: 'bypass-use-1' });
    expect(accepted).toMatchObject({ outcome: 'accepted', reason: null, replayed: false });
    // The same attempt id again: the recorded outcome (idempotent), not a second use.
    expect(await app.verifyBypassCode({ userId: user.userId, code: second.code, attemptId: 'bypass-use-1' })).toMatchObject({
      outcome: 'accepted',
      replayed: true,
    });
    // A second use under a new attempt id is refused.
    const again = await postTrpc(b, 'verify.bypassCode', { userId: user.userId, code: second.code, attemptId: 'bypass-use-2' }, user.apiKey);
    expect((again.json as { result: { data: unknown } }).result.data).toMatchObject({ outcome: 'rejected', reason: 'replay' });
    const used = await env.db.pool.query<{ used_at: Date | null }>(
      'SELECT b.used_at FROM bypass_codes b JOIN factors f ON f.id = b.factor_id WHERE f.status = $1',
      ['active'],
    );
    expect(used.rows.map((row) => row.used_at !== null)).toEqual([true]);
    // Used, it is no longer offered (the use reached the gateways' preauth caches).
    const after = await waitFor(
      () => app.preauth({ userId: user.userId }),
      (r) => r.result === 'auth' && !r.factors.some((f) => f.kind === 'bypass'),
    );
    expect(after.result).toBe('auth');

    // An admin (not only the owner) may issue too.
    const adminAdmin = await createTestAdmin(env.db, 'admin');
    const admin = await signInEnrollingTotp(b, adminAdmin);
    dataOf<Issued>(await mutate(a, 'admin.bypass.issue', ref, admin.session.sessionToken));
    app.close();
  }, 120_000);

  it('an expired code is refused; wrong codes count toward the lockout like any factor', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const app = createHoldfastClient({ gateways: [a, b], apiKey: user.apiKey, deadlineMs: 30_000 });
    const ref = { applicationId: user.applicationId, userId: user.userId };
    const owner = await signInEnrollingTotp(b, await createTestAdmin(env.db, 'owner'));
    const token = owner.session.sessionToken;

    const expiring = dataOf<Issued>(await mutate(a, 'admin.bypass.issue', { ...ref, ttlMinutes: 5 }, token));
    // Its time passes (moved back in the database, the way the clock would).
    await env.db.pool.query(
      `UPDATE bypass_codes b SET created_at = b.created_at - interval '10 minutes', expires_at = b.expires_at - interval '10 minutes'
         FROM factors f JOIN users u ON u.id = f.user_id WHERE f.id = b.factor_id AND u.external_id = $1 AND f.status = 'active'`,
      [user.userId],
    );
    expect(await app.verifyBypassCode({ userId: user.userId, code: expiring.code, attemptId: 'bypass-expired' })).toMatchObject({
      outcome: 'rejected',
      reason: 'invalid_code',
    });

    const fresh = dataOf<Issued>(await mutate(b, 'admin.bypass.issue', ref, token));
    const wrong = fresh.code.startsWith('2') ? `3${fresh.code.slice(1)}` : `2${fresh.code.slice(1)}`;
    // The default threshold: the 10th consecutive wrong code locks the factor.
    for (let i = 0; i < 10; i += 1) {
      const gateway = i % 2 === 0 ? a : b;
      const answer = await postTrpc(gateway, 'verify.bypassCode', { userId: user.userId, code: wrong, attemptId: `bypass-wrong-${i}` }, user.apiKey);
      expect((answer.json as { result: { data: unknown } }).result.data).toMatchObject({ outcome: 'rejected', reason: 'invalid_code' });
    }
    const counted = await env.db.pool.query<{ failed_count: number; locked: boolean }>(
      `SELECT f.failed_count, f.locked_until > now() AS locked FROM factors f JOIN users u ON u.id = f.user_id
        WHERE u.external_id = $1 AND f.kind = 'bypass' AND f.status = 'active'`,
      [user.userId],
    );
    expect(counted.rows).toEqual([{ failed_count: 10, locked: true }]);
    expect(await app.verifyBypassCode({ userId: user.userId, code: fresh.code, attemptId: 'bypass-right-while-locked' })).toMatchObject({
      outcome: 'rejected',
      reason: 'locked',
    });
    const locks = await env.db.pool.query("SELECT 1 FROM audit_events WHERE type = 'factor.locked' AND detail->>'kind' = 'bypass'");
    expect(locks.rowCount).toBe(1);
    app.close();
  }, 120_000);

  it('helpdesk and auditor are refused with ADMIN_FORBIDDEN, even after a step-up', async () => {
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: a });
    const ref = { applicationId: user.applicationId, userId: user.userId };
    for (const role of ['helpdesk', 'auditor'] as const) {
      const signedIn = await signInEnrollingTotp(a, await createTestAdmin(env.db, role));
      const token = signedIn.session.sessionToken;
      dataOf(await mutate(b, 'admin.session.stepUpTotp', { code: await signedIn.codes.next() }, token));
      expect((await mutate(b, 'admin.bypass.issue', ref, token)).code).toBe('ADMIN_FORBIDDEN');
    }
    // A relying application's API key is no admin credential either.
    expect((await mutate(a, 'admin.bypass.issue', ref, user.apiKey)).code).toBe('ADMIN_SESSION_INVALID');
    const rows = await env.db.pool.query("SELECT 1 FROM factors f JOIN users u ON u.id = f.user_id WHERE u.external_id = $1 AND f.kind = 'bypass'", [
      user.userId,
    ]);
    expect(rows.rowCount).toBe(0);
  }, 120_000);
});
