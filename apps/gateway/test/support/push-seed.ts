import { encryptSecret, parseKeyring, pushSignatureAudience } from '@holdfast/core';
import { createApplication, type Database } from '@holdfast/db';
import { randomBytes, randomUUID } from 'node:crypto';
import { testKeys } from './gateways';
import { createPushDeviceKeys, toTestPushDevice, type TestPushDevice } from './push-device';

/**
 * Push users written straight into the database (the begin / status / fatigue / delivery tests are
 * about what happens after pairing; pairing itself is push.pair.test.ts's). The rows are the ones
 * pairing writes: an active `factors` row of kind push, its `push_devices` row, and the Web Push
 * subscription envelope-encrypted under the gateways' test keyring with AAD
 * `push-subscription:<factor id>`, as services/push/push-subscription-store.ts does.
 */
const keyring = parseKeyring({ keys: `k1:${testKeys.k1},k2:${testKeys.k2}`, activeKeyId: 'k1' });

export interface SeededPushUser {
  applicationId: string;
  apiKey: string;
  userId: string;
  userRowId: string;
  deviceIds: string[];
  /** The paired devices, able to sign answers (audience: the gateways' default push origin). */
  devices: TestPushDevice[];
}

export async function createPushApplication(
  db: Database,
  settings: Partial<Record<'push_max_per_window' | 'push_window_seconds' | 'push_ttl_seconds', number>> = {},
) {
  const app = await createApplication({ prisma: db.prisma, name: `push-app-${randomUUID().slice(0, 8)}` });
  for (const [column, value] of Object.entries(settings)) {
    await db.pool.query(`UPDATE applications SET ${column} = $2 WHERE id = $1`, [app.applicationId, value]);
  }
  return app;
}

/** A user of `app` with `devices` paired push devices (each with the subscription given, or none). */
export async function seedPushUser(
  db: Database,
  app: { applicationId: string; apiKey: string },
  options: { userId?: string; subscriptions?: ({ endpoint: string; keys: { p256dh: string; auth: string } } | null)[] } = {},
): Promise<SeededPushUser> {
  const userId = options.userId ?? `push-user-${randomUUID().slice(0, 8)}`;
  const user = await db.prisma.user.create({ data: { applicationId: app.applicationId, externalId: userId } });
  const deviceIds: string[] = [];
  const devices: TestPushDevice[] = [];
  for (const [index, subscription] of (options.subscriptions ?? [null]).entries()) {
    const factor = await db.prisma.factor.create({ data: { userId: user.id, kind: 'push', status: 'active', label: `Phone ${String(index + 1)}` } });
    const keys = createPushDeviceKeys();
    const subscriptionEnc =
      subscription === null
        ? null
        : encryptSecret({
            keyring,
            random: (size) => randomBytes(size),
            plaintext: JSON.stringify({ endpoint: subscription.endpoint, keys: { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth } }),
            aad: `push-subscription:${factor.id}`,
          });
    await db.pool.query('INSERT INTO push_devices (factor_id, user_id, public_jwk, subscription_enc) VALUES ($1, $2, $3::jsonb, $4)', [
      factor.id,
      user.id,
      JSON.stringify(keys.publicJwk),
      subscriptionEnc,
    ]);
    deviceIds.push(factor.id);
    devices.push(
      toTestPushDevice(keys, {
        deviceId: factor.id,
        applicationId: app.applicationId,
        applicationName: 'test',
        userId,
        audience: pushSignatureAudience({ origin: 'http://localhost:3002', applicationId: app.applicationId }),
        vapidPublicKey: '',
      }),
    );
  }
  return { applicationId: app.applicationId, apiKey: app.apiKey, userId, userRowId: user.id, deviceIds, devices };
}

/** Decides a pending transaction as a device answer would, straight in the database (status tests). */
export async function decidePushInDatabase(db: Database, transactionId: string, status: 'approved' | 'denied'): Promise<number> {
  const result = await db.pool.query(
    `UPDATE push_transactions SET status = $2::push_transaction_status, reason = $3, decided_at = now()
      WHERE id = $1 AND status = 'pending' AND expires_at > now()`,
    [transactionId, status, status === 'approved' ? 'approved' : 'denied_by_user'],
  );
  return result.rowCount ?? 0;
}
