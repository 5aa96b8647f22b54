import { envelopeKeyId } from '@holdfast/core';
import { createHoldfastClient } from '@holdfast/sdk';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, testKeys } from './support/gateways';
import { enrollTotpUser, freshCode, startEnvironment } from './support/fixtures';
import { createPushPairing, enrollPushUser, fakePushSubscription } from './support/push-device';

const run = promisify(execFile);

/** Every row of every table in the database as text: what a stolen backup would show. */
async function dumpDatabase(pool: { query: (sql: string) => Promise<{ rows: unknown[] }> }): Promise<string> {
  const tables = await pool.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
  const parts: string[] = [];
  for (const { tablename } of tables.rows as { tablename: string }[]) {
    const rows = await pool.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
    parts.push(...(rows.rows as { row: string }[]).map((r) => r.row));
  }
  return parts.join('\n');
}

describe('[SECRETS_AT_REST] after enrollment', () => {
  let env: Awaited<ReturnType<typeof startEnvironment>>;
  beforeAll(async () => {
    env = await startEnvironment({ gateways: 1 });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('the database holds no plaintext TOTP secret or recovery code, in any encoding', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url, withRecoveryCodes: true });
    expect(user.recoveryCodes).toHaveLength(10);
    const dump = await dumpDatabase(env.db.pool);
    expect(dump).toContain(user.factorId); // the dump really covers the enrolled factor
    const secretBytes = base32Decode(user.secret);
    const needles = [
      user.secret,
      secretBytes.toString('hex'),
      secretBytes.toString('base64'),
      ...user.recoveryCodes,
      ...user.recoveryCodes.map((code) => code.replace('-', '')),
    ];
    for (const needle of needles) expect(dump.toLowerCase()).not.toContain(needle.toLowerCase());
  });

  it('the database holds no push subscription endpoint or key, and no pairing token, in plaintext', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const subscription = fakePushSubscription();
    const { device, sessionToken } = await enrollPushUser({ db: env.db, gatewayUrl: gw.url, subscription });
    const { pairingToken } = await createPushPairing({ gatewayUrl: gw.url, sessionToken });
    const dump = await dumpDatabase(env.db.pool);
    expect(dump).toContain(device.deviceId);
    const endpointPath = new URL(subscription.endpoint).pathname;
    for (const needle of [endpointPath, subscription.keys.p256dh, subscription.keys.auth, pairingToken]) expect(dump).not.toContain(needle);
  });

  it('rotate-keys re-wraps every secret under the new key; the old key can then be dropped', async () => {
    const [gw] = env.gateways;
    if (gw === undefined) throw new Error('gateway expected');
    const user = await enrollTotpUser({ db: env.db, gatewayUrl: gw.url });
    // The sealer makes its signing key (a secret) on its first pass: counted below only once it
    // exists, or a key made between the count and the rotation is one more re-wrapped (a CI flake).
    for (let waited = 0; (await env.db.prisma.auditSigningKey.count()) === 0; waited += 100) {
      if (waited > 20_000) throw new Error('the sealer made no signing key within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const before = await env.db.prisma.totpFactor.findMany({ omit: { secretEnc: false } });
    expect(before.every((row) => envelopeKeyId(row.secretEnc) === 'k1')).toBe(true);
    // The push test above left a paired device's subscription and the deployment's VAPID key.
    const pushEnvelopes = async (): Promise<string[]> => [
      ...(await env.db.prisma.pushDevice.findMany({ select: { subscriptionEnc: true } })).flatMap((row) =>
        row.subscriptionEnc === null ? [] : [row.subscriptionEnc],
      ),
      ...(await env.db.prisma.vapidKey.findMany({ select: { privateKeyEnc: true } })).map((row) => row.privateKeyEnc),
      // And the audit log's checkpoint-signing key (issue 12), made by the gateway's sealer.
      ...(await env.db.prisma.auditSigningKey.findMany({ select: { privateKeyEnc: true } })).map((row) => row.privateKeyEnc),
    ];
    const pushBefore = await pushEnvelopes();
    expect(pushBefore.length).toBeGreaterThanOrEqual(2);
    expect(pushBefore.every((envelope) => envelopeKeyId(envelope) === 'k1')).toBe(true);

    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const { stdout } = await run('npm', ['run', '--silent', 'rotate-keys'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: env.databaseUrl, HOLDFAST_ENCRYPTION_KEYS: `k1:${testKeys.k1},k2:${testKeys.k2}`, HOLDFAST_ACTIVE_KEY_ID: 'k2' },
    });
    expect(stdout).toContain(`re-wrapped ${before.length + pushBefore.length} secrets`);
    const after = await env.db.prisma.totpFactor.findMany({ omit: { secretEnc: false } });
    expect(after.every((row) => envelopeKeyId(row.secretEnc) === 'k2')).toBe(true);
    expect((await pushEnvelopes()).every((envelope) => envelopeKeyId(envelope) === 'k2')).toBe(true);

    // A gateway that only knows k2 still verifies the user's codes.
    const k2Only = await startGateway({
      databaseUrl: env.databaseUrl,
      gatewayId: 'gw-k2',
      env: { HOLDFAST_ENCRYPTION_KEYS: `k2:${testKeys.k2}`, HOLDFAST_ACTIVE_KEY_ID: 'k2' },
    });
    try {
      const client = createHoldfastClient({ gateways: [k2Only.url], apiKey: user.apiKey });
      const { code } = await freshCode(user.secret, user.confirmedStep);
      expect(await client.verifyTotp({ userId: user.userId, code })).toMatchObject({ outcome: 'accepted' });
    } finally {
      await k2Only.stop();
    }
    expect(await env.db.prisma.auditEvent.count({ where: { type: 'keys.rotated' } })).toBe(1);
  });
});

function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of input.replace(/=+$/, '')) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
