import { generateTotpCode } from '@holdfast/core';
import { parseApiKey } from '@holdfast/db';
import { createEnrollmentClient, createHoldfastClient } from '@holdfast/sdk';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, dataOf, mutate, query, signInEnrollingTotp, type SignedIn } from './admin.support';
import { defaultParams, startEnvironment } from './support/fixtures';

interface ApiKeyView {
  id: string;
  revokedAt: string | null;
  state: 'active' | 'expiring' | 'revoked';
}
interface ApplicationView {
  id: string;
  name: string;
  rpId: string;
  allowedOrigins: string[];
  callbackUrls: string[];
  push: { ttlSeconds: number; maxPerWindow: number; numberDigits: number; windowSeconds: number; fraudSuspensionSeconds: number };
  lockout: { factorThreshold: number; accountThreshold: number };
  apiKeys: ApiKeyView[];
  webhook: { url: string; secretCreatedAt: string } | null;
}
interface KeyCreated {
  apiKey: string;
  key: ApiKeyView;
  application: ApplicationView;
}

/** A relying application's webhook endpoint: records the bodies it is sent, answers 200. */
async function startReceiver(): Promise<{ url: string; bodies: () => string[]; stop: () => Promise<void> }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver address expected');
  return {
    url: `http://127.0.0.1:${String(address.port)}/hooks/holdfast`,
    bodies: () => [...bodies],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function waitFor<T>(read: () => Promise<T>, isDone: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// Admin console, applications (issue 13), against two real gateway processes on one real Postgres.
describe('[ADMIN_API_KEY_ROTATE] applications and API keys from the admin console', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  let a = '';
  let b = '';
  let owner: SignedIn;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 2 });
    const [first, second] = env.gateways;
    if (first === undefined || second === undefined) throw new Error('two gateways expected');
    a = first.url;
    b = second.url;
    // A first sign-in is a fresh second factor: the owner may do step-up actions for 5 minutes.
    owner = (await signInEnrollingTotp(a, await createTestAdmin(env.db, 'owner'))).session;
  }, 90_000);
  afterAll(async () => {
    await env.stop();
  });

  /** The HTTP status a relying-app call with `apiKey` gets on `url` (200 = the key is honoured). */
  async function keyStatus(url: string, apiKey: string): Promise<number> {
    return (await query(url, 'preauth', apiKey, { userId: 'key-probe' })).status;
  }
  async function onBoth(apiKey: string): Promise<[number, number]> {
    return [await keyStatus(a, apiKey), await keyStatus(b, apiKey)];
  }
  async function getApplication(url: string, applicationId: string): Promise<ApplicationView> {
    const { application } = dataOf<{ application: ApplicationView | null }>(await query(url, 'admin.applications.get', owner.sessionToken, { applicationId }));
    if (application === null) throw new Error('application expected');
    return application;
  }
  async function adminActions(applicationId: string): Promise<{ action: string; target: string; before: unknown; after: unknown }[]> {
    const { rows } = await env.db.pool.query<{ detail: { action: string; target: string; before: unknown; after: unknown } }>(
      "SELECT detail FROM audit_events WHERE type = 'admin.action' AND application_id = $1 ORDER BY id",
      [applicationId],
    );
    return rows.map((row) => row.detail);
  }

  it('create returns a working first key; rotation: the new key works at once on both gateways, the old one until the overlap ends, then on neither', async () => {
    const created = dataOf<{ application: ApplicationView; apiKey: string }>(
      await mutate(a, 'admin.applications.create', { name: 'Rotation shop' }, owner.sessionToken),
    );
    expect(created.apiKey).toMatch(/^hf_[0-9a-f]{16}_/);
    expect(created.application.apiKeys.map((key) => key.state)).toEqual(['active']);
    expect(created.application.lockout.accountThreshold).toBe(100);
    const appId = created.application.id;
    const oldKey = created.apiKey;
    const oldKeyId = created.application.apiKeys[0]?.id ?? '';
    // Both gateways now hold the old key's row in their metadata caches.
    expect(await onBoth(oldKey)).toEqual([200, 200]);
    const listed = dataOf<{ applications: { id: string; activeKeyCount: number; hasWebhook: boolean }[] }>(
      await query(b, 'admin.applications.list', owner.sessionToken),
    );
    expect(listed.applications.find((app) => app.id === appId)).toMatchObject({ activeKeyCount: 1, hasWebhook: false });

    const overlapSeconds = 3;
    const rotated = dataOf<KeyCreated>(
      await mutate(b, 'admin.applications.rotateApiKey', { applicationId: appId, keyId: oldKeyId, overlapSeconds }, owner.sessionToken),
    );
    expect(rotated.key.state).toBe('active');
    expect(rotated.apiKey).not.toBe(oldKey);
    const endsAt = new Date(rotated.application.apiKeys.find((key) => key.id === oldKeyId)?.revokedAt ?? 0).getTime();
    expect(rotated.application.apiKeys.find((key) => key.id === oldKeyId)?.state).toBe('expiring');
    // The new key at once, on both; the old one still, on both (the overlap).
    expect(await onBoth(rotated.apiKey)).toEqual([200, 200]);
    expect(await onBoth(oldKey)).toEqual([200, 200]);
    // A rotated (expiring) key cannot be rotated again.
    expect((await mutate(a, 'admin.applications.rotateApiKey', { applicationId: appId, keyId: oldKeyId }, owner.sessionToken)).code).toBe('API_KEY_NOT_ACTIVE');

    // Past revoked_at: refused on both at once, with no notification (the cached row's time is compared with the clock).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endsAt - Date.now()) + 50));
    expect(await onBoth(oldKey)).toEqual([401, 401]);
    expect(await onBoth(rotated.apiKey)).toEqual([200, 200]);
    const after = await getApplication(a, appId);
    expect(after.apiKeys.map((key) => [key.id, key.state])).toEqual(
      expect.arrayContaining([
        [oldKeyId, 'revoked'],
        [rotated.key.id, 'active'],
      ]),
    );

    // Revoking an expiring key ends its overlap at once, on both gateways.
    const third = dataOf<KeyCreated>(await mutate(a, 'admin.applications.createApiKey', { applicationId: appId }, owner.sessionToken));
    expect(await onBoth(third.apiKey)).toEqual([200, 200]);
    dataOf(await mutate(b, 'admin.applications.rotateApiKey', { applicationId: appId, keyId: third.key.id, overlapSeconds: 3600 }, owner.sessionToken));
    expect(await onBoth(third.apiKey)).toEqual([200, 200]);
    const revoked = dataOf<{ application: ApplicationView }>(
      await mutate(a, 'admin.applications.revokeApiKey', { applicationId: appId, keyId: third.key.id }, owner.sessionToken),
    );
    expect(revoked.application.apiKeys.find((key) => key.id === third.key.id)?.state).toBe('revoked');
    // The UPDATE's NOTIFY reaches the other processes within milliseconds.
    await waitFor(
      () => onBoth(third.apiKey),
      ([x, y]) => x === 401 && y === 401,
      1_000,
    );

    // Audited with who and what, by key id — never a key.
    const actions = await adminActions(appId);
    expect(actions.map((action) => [action.action, (action.after as { operation?: string } | null)?.operation ?? 'app'])).toEqual([
      ['applications.write', 'app'],
      ['apikeys.write', 'rotate'],
      ['apikeys.write', 'create'],
      ['apikeys.write', 'rotate'],
      ['apikeys.write', 'revoke'],
    ]);
    expect(actions[1]).toMatchObject({ target: `apikey:${oldKeyId}`, before: { state: 'active' }, after: { overlapSeconds, newKeyId: rotated.key.id } });
    const trail = JSON.stringify(actions);
    // The secret by the key's own grammar, not split('_'): base64url secrets may contain '_' (one
    // starting with it made split('_')[2] the empty string, which every trail "contains").
    for (const key of [oldKey, rotated.apiKey, third.apiKey]) {
      const secret = parseApiKey(key)?.secret;
      expect(secret?.length).toBeGreaterThan(20);
      expect(trail).not.toContain(secret);
    }
  });

  it('update applies origins, callback URLs and push policy (read back on the other gateway), audited with before and after; bad input is refused with typed errors', async () => {
    const { application } = dataOf<{ application: ApplicationView }>(
      await mutate(a, 'admin.applications.create', { name: 'Settings shop' }, owner.sessionToken),
    );
    const change = {
      applicationId: application.id,
      rpId: 'shop.example',
      allowedOrigins: ['https://shop.example', 'https://login.shop.example:8443/'],
      callbackUrls: ['https://shop.example/mfa/done'],
      push: { ttlSeconds: 90, maxPerWindow: 5 },
    };
    const updated = dataOf<{ application: ApplicationView }>(await mutate(a, 'admin.applications.update', change, owner.sessionToken));
    expect(updated.application.allowedOrigins).toEqual(['https://shop.example', 'https://login.shop.example:8443']);
    const readBack = await getApplication(b, application.id);
    expect(readBack).toMatchObject({
      rpId: 'shop.example',
      allowedOrigins: ['https://shop.example', 'https://login.shop.example:8443'],
      callbackUrls: ['https://shop.example/mfa/done'],
      push: { ttlSeconds: 90, maxPerWindow: 5, numberDigits: application.push.numberDigits },
    });
    const updates = (await adminActions(application.id)).slice(1);
    expect(updates).toEqual([
      expect.objectContaining({
        action: 'applications.write',
        target: `application:${application.id}`,
        before: {
          rpId: application.rpId,
          allowedOrigins: application.allowedOrigins,
          callbackUrls: [],
          'push.ttlSeconds': application.push.ttlSeconds,
          'push.maxPerWindow': application.push.maxPerWindow,
        },
        after: {
          rpId: 'shop.example',
          allowedOrigins: ['https://shop.example', 'https://login.shop.example:8443'],
          callbackUrls: ['https://shop.example/mfa/done'],
          'push.ttlSeconds': 90,
          'push.maxPerWindow': 5,
        },
      }),
    ]);

    const refusals: [Record<string, unknown>, string][] = [
      [{ callbackUrls: ['javascript:alert(1)'] }, 'BAD_REQUEST'],
      [{ rpId: 'shop.example/login' }, 'BAD_REQUEST'],
      [{ allowedOrigins: Array.from({ length: 21 }, (_, i) => `https://o${String(i)}.shop.example`) }, 'BAD_REQUEST'],
      [{ allowedOrigins: ['http://shop.example'] }, 'INSECURE_URL'],
      [{ callbackUrls: ['http://shop.example/mfa/done'] }, 'INSECURE_URL'],
      [{ allowedOrigins: ['https://shop.example/login'] }, 'BAD_REQUEST'],
      [{ allowedOrigins: ['https://evil.example'] }, 'BAD_REQUEST'],
      [{ push: { ttlSeconds: 601 } }, 'BAD_REQUEST'],
      [{ lockout: { factorThreshold: 101 } }, 'BAD_REQUEST'],
    ];
    for (const [fields, code] of refusals) {
      const refused = await mutate(b, 'admin.applications.update', { applicationId: application.id, ...fields }, owner.sessionToken);
      expect([refused.status, refused.code], JSON.stringify(fields)).toEqual([400, code]);
    }
    expect(await getApplication(a, application.id)).toEqual(readBack);
    expect(await adminActions(application.id)).toHaveLength(2);
  });

  it('lockout set in the console is what verifications of that application are counted with, on every gateway; an impossible policy is refused', async () => {
    const created = dataOf<{ application: ApplicationView & { lockout: Record<string, number> }; apiKey: string }>(
      await mutate(a, 'admin.applications.create', { name: 'Strict shop' }, owner.sessionToken),
    );
    const appId = created.application.id;
    const deployment = created.application.lockout;
    expect(deployment.factorThreshold).toBe(10);
    const client = createHoldfastClient({ gateways: [a], apiKey: created.apiKey, deadlineMs: 30_000, tryTimeoutMs: 20_000 });
    const link = await client.createEnrollmentLink({ userId: 'strict-user' });
    const enrollment = createEnrollmentClient({ gateways: [b], deadlineMs: 20_000 });
    await enrollment.redeem(link.token);
    const begun = await enrollment.beginTotp({ label: 'phone' });
    await enrollment.confirmTotp({ factorId: begun.factorId, code: await generateTotpCode({ secret: begun.secret, params: defaultParams, at: new Date() }) });

    // Both gateways have the application cached (its key was used on each) before the change.
    expect(await onBoth(created.apiKey)).toEqual([200, 200]);
    const updated = dataOf<{ application: { lockout: Record<string, number>; lockoutOverrides: Record<string, number | null> } }>(
      await mutate(a, 'admin.applications.update', { applicationId: appId, lockout: { factorThreshold: 3, factorLockSeconds: 600 } }, owner.sessionToken),
    );
    expect(updated.application.lockoutOverrides).toEqual({ factorThreshold: 3, factorLockSeconds: 600, factorHardLimit: null, accountThreshold: null });
    expect(updated.application.lockout).toMatchObject({ factorThreshold: 3, factorLockSeconds: 600, factorHardLimit: deployment.factorHardLimit });

    // Three wrong codes lock the factor; the third — the one that decides the lock — goes to the gateway
    // that cached the application before the change (its cache was told through NOTIFY).
    const wrong = (await generateTotpCode({ secret: begun.secret, params: defaultParams, at: new Date() })) === '000000' ? '111111' : '000000';
    for (const [i, url] of [a, a, b].entries()) {
      const answer = await mutate(url, 'verify.totp', { userId: 'strict-user', code: wrong, attemptId: `strict-wrong-${String(i)}` }, created.apiKey);
      expect(dataOf<{ outcome: string }>(answer).outcome).toBe('rejected');
    }
    const right = await generateTotpCode({ secret: begun.secret, params: defaultParams, at: new Date() });
    const locked = dataOf<{ outcome: string; reason: string }>(
      await mutate(b, 'verify.totp', { userId: 'strict-user', code: right, attemptId: 'strict-right' }, created.apiKey),
    );
    expect(locked).toMatchObject({ outcome: 'rejected', reason: 'locked' });
    const { rows } = await env.db.pool.query<{ failed_count: number; seconds: number }>(
      'SELECT failed_count, extract(epoch FROM locked_until - now())::int AS seconds FROM factors WHERE id = $1',
      [begun.factorId],
    );
    expect(rows[0]?.failed_count).toBe(3);
    expect(rows[0]?.seconds).toBeGreaterThan(500);
    expect(rows[0]?.seconds).toBeLessThanOrEqual(600);

    // A threshold above the hard limit is refused whole; null goes back to the deployment's value.
    const refused = await mutate(
      b,
      'admin.applications.update',
      { applicationId: appId, lockout: { factorThreshold: 50, factorHardLimit: 20 } },
      owner.sessionToken,
    );
    expect([refused.status, refused.code]).toEqual([400, 'BAD_REQUEST']);
    const cleared = dataOf<{ application: { lockout: Record<string, number> } }>(
      await mutate(b, 'admin.applications.update', { applicationId: appId, lockout: { factorThreshold: null, factorLockSeconds: null } }, owner.sessionToken),
    );
    expect(cleared.application.lockout).toEqual(deployment);
    const trail = (await adminActions(appId)).filter((action) => JSON.stringify(action.after).includes('lockout.'));
    expect(trail.map((action) => [action.before, action.after])).toEqual([
      [
        { 'lockout.factorThreshold': null, 'lockout.factorLockSeconds': null },
        { 'lockout.factorThreshold': 3, 'lockout.factorLockSeconds': 600 },
      ],
      [
        { 'lockout.factorThreshold': 3, 'lockout.factorLockSeconds': 600 },
        { 'lockout.factorThreshold': null, 'lockout.factorLockSeconds': null },
      ],
    ]);
  });

  it('setWebhook shows the secret once and get never does; deliveries are listed and can be redelivered', async () => {
    const receiver = await startReceiver();
    try {
      const created = dataOf<{ application: ApplicationView; apiKey: string }>(
        await mutate(a, 'admin.applications.create', { name: 'Webhook shop' }, owner.sessionToken),
      );
      const appId = created.application.id;
      const set = dataOf<{ secret: string | null; application: ApplicationView }>(
        await mutate(a, 'admin.applications.setWebhook', { applicationId: appId, url: receiver.url }, owner.sessionToken),
      );
      expect(set.secret).toMatch(/^whsec_/);
      const secret = set.secret ?? '';
      expect(set.application.webhook?.url).toBe(receiver.url);
      const shown = await query(b, 'admin.applications.get', owner.sessionToken, { applicationId: appId });
      expect(JSON.stringify(shown.data)).not.toContain(secret.slice(6));
      // Changing the URL keeps the secret (not shown again); rotating makes and shows a new one.
      const kept = dataOf<{ secret: string | null }>(
        await mutate(b, 'admin.applications.setWebhook', { applicationId: appId, url: `${receiver.url}?v=2` }, owner.sessionToken),
      );
      expect(kept.secret).toBeNull();
      dataOf(await mutate(b, 'admin.applications.setWebhook', { applicationId: appId, url: receiver.url }, owner.sessionToken));

      // A factor enrolled through the application's key is a webhook event.
      const client = createHoldfastClient({ gateways: [a], apiKey: created.apiKey, deadlineMs: 30_000, tryTimeoutMs: 20_000 });
      const link = await client.createEnrollmentLink({ userId: 'webhook-user' });
      const enrollment = createEnrollmentClient({ gateways: [b], deadlineMs: 20_000 });
      await enrollment.redeem(link.token);
      const begun = await enrollment.beginTotp({ label: 'phone' });
      await enrollment.confirmTotp({ factorId: begun.factorId, code: await generateTotpCode({ secret: begun.secret, params: defaultParams, at: new Date() }) });

      interface Deliveries {
        deliveries: { id: string; type: string; status: string; attemptCount: number; attempts: { statusCode: number | null }[] }[];
      }
      const listed = await waitFor(
        async () => dataOf<Deliveries>(await query(b, 'admin.applications.webhookDeliveries', owner.sessionToken, { applicationId: appId })),
        (log) => log.deliveries.some((delivery) => delivery.status === 'delivered'),
      );
      const delivery = listed.deliveries.find((entry) => entry.type === 'factor.enrolled');
      expect(delivery).toMatchObject({ status: 'delivered', attemptCount: 1, attempts: [{ statusCode: 200 }] });
      const deliveryId = delivery?.id ?? '';
      const redelivered = dataOf<{ delivery: { id: string } }>(
        await mutate(a, 'admin.applications.redeliverWebhook', { applicationId: appId, deliveryId }, owner.sessionToken),
      );
      expect(redelivered.delivery.id).toBe(deliveryId);
      await waitFor(
        () => Promise.resolve(receiver.bodies().filter((body) => body.includes(deliveryId)).length),
        (count) => count === 2,
      );

      const actions = await adminActions(appId);
      expect(actions.slice(1).map((action) => action.after)).toEqual([
        { webhook: { host: new URL(receiver.url).host, secretCreatedAt: expect.any(String) as unknown }, isSecretNew: true },
        { webhook: { host: new URL(receiver.url).host, secretCreatedAt: expect.any(String) as unknown }, isSecretNew: false },
        { webhook: { host: new URL(receiver.url).host, secretCreatedAt: expect.any(String) as unknown }, isSecretNew: false },
        { status: 'pending', redelivered: true },
      ]);
      expect(JSON.stringify(actions)).not.toContain(secret.slice(6));
    } finally {
      await receiver.stop();
    }
  });

  it('helpdesk and auditor are refused every change; without a fresh step-up the key procedures are refused; canary and system applications are invisible', async () => {
    const { application, apiKey } = dataOf<{ application: ApplicationView; apiKey: string }>(
      await mutate(a, 'admin.applications.create', { name: 'Roles shop' }, owner.sessionToken),
    );
    const keyId = application.apiKeys[0]?.id ?? '';
    const writes: [string, Record<string, unknown>][] = [
      ['admin.applications.create', { name: 'nope' }],
      ['admin.applications.update', { applicationId: application.id, name: 'nope' }],
      ['admin.applications.createApiKey', { applicationId: application.id }],
      ['admin.applications.rotateApiKey', { applicationId: application.id, keyId }],
      ['admin.applications.revokeApiKey', { applicationId: application.id, keyId }],
      ['admin.applications.setWebhook', { applicationId: application.id, url: 'https://hooks.example/x' }],
      ['admin.applications.redeliverWebhook', { applicationId: application.id, deliveryId: '00000000-0000-4000-8000-000000000000' }],
    ];
    const helpdesk = (await signInEnrollingTotp(a, await createTestAdmin(env.db, 'helpdesk'))).session;
    const auditor = (await signInEnrollingTotp(b, await createTestAdmin(env.db, 'auditor'))).session;
    for (const session of [helpdesk, auditor]) {
      for (const [procedure, input] of writes) {
        const refused = await mutate(a, procedure, input, session.sessionToken);
        expect([procedure, refused.status, refused.code]).toEqual([procedure, 403, 'ADMIN_FORBIDDEN']);
      }
    }
    // The auditor reads; the helpdesk does not even read applications.
    expect((await query(b, 'admin.applications.get', auditor.sessionToken, { applicationId: application.id })).status).toBe(200);
    expect((await query(b, 'admin.applications.list', helpdesk.sessionToken)).code).toBe('ADMIN_FORBIDDEN');

    // An admin whose second factor is 6 minutes old: the key procedures want a fresh one.
    const admin = (await signInEnrollingTotp(b, await createTestAdmin(env.db, 'admin'))).session;
    await env.db.pool.query(
      `UPDATE admin_sessions SET created_at = created_at - interval '6 minutes', mfa_at = mfa_at - interval '6 minutes', step_up_at = NULL
        WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
      [admin.sessionToken.slice(4)],
    );
    for (const [procedure, input] of writes.slice(2, 5)) {
      const refused = await mutate(b, procedure, input, admin.sessionToken);
      expect([procedure, refused.status, refused.code]).toEqual([procedure, 403, 'ADMIN_STEP_UP_REQUIRED']);
    }
    expect(await onBoth(apiKey)).toEqual([200, 200]);
    expect(await adminActions(application.id)).toHaveLength(1);

    const hidden = await env.db.pool.query<{ id: string }>('SELECT id FROM applications WHERE is_canary OR is_system');
    expect(hidden.rows.length).toBeGreaterThanOrEqual(1);
    const listed = dataOf<{ applications: { id: string }[] }>(await query(a, 'admin.applications.list', owner.sessionToken));
    for (const { id } of hidden.rows) {
      expect(listed.applications.map((app) => app.id)).not.toContain(id);
      expect(dataOf(await query(a, 'admin.applications.get', owner.sessionToken, { applicationId: id }))).toEqual({ application: null });
      expect((await mutate(b, 'admin.applications.update', { applicationId: id, name: 'taken over' }, owner.sessionToken)).code).toBe('APPLICATION_NOT_FOUND');
      expect((await mutate(b, 'admin.applications.createApiKey', { applicationId: id }, owner.sessionToken)).code).toBe('APPLICATION_NOT_FOUND');
      expect((await mutate(b, 'admin.applications.setWebhook', { applicationId: id, url: 'https://hooks.example/x' }, owner.sessionToken)).code).toBe(
        'APPLICATION_NOT_FOUND',
      );
    }
  });
});
