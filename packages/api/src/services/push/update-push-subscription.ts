import { pushSubscriptionSignedBytes } from '@holdfast/core';
import { withDatabaseRetry, withTransaction, writeAuditEvent } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';
import { authenticatePushDevice, refusePushRequest } from './push-device-auth';
import {
  decryptPushSubscription,
  encryptPushSubscription,
  isAllowedPushEndpoint,
  isSameSubscription,
  pushServiceHostOf,
  pushSettingsOf,
  type StoredPushSubscription,
} from './push-subscription-store';
import { getVapidKeys } from './vapid-keys';

/**
 * A device's current Web Push subscription, re-sent on every app open (subscriptions churn; a
 * subscription its push service answered 404/410 is gone). Signed over core
 * `pushSubscriptionSignedBytes` (the stored device id, each subscription field, the device time,
 * this gateway's audience), so nobody else can point a device's pushes elsewhere. The endpoint
 * must be one of the deployment's push services (SSRF). Stored envelope-encrypted (invariant 6),
 * `subscription_gone_at` cleared; audited `push.subscription_updated` only when it changed.
 */
export async function updatePushSubscription(options: {
  deps: ServiceDeps;
  deviceId: string;
  subscription: StoredPushSubscription;
  deviceTime: number;
  signature: string;
  signal?: AbortSignal;
}): Promise<{ ok: true }> {
  const { deps, subscription } = options;
  const { device } = await authenticatePushDevice({
    deps,
    deviceId: options.deviceId,
    deviceTimeMs: options.deviceTime,
    signature: options.signature,
    procedure: 'deviceUpdateSubscription',
    buildPayload: ({ device: stored, audience, deviceTime }) =>
      pushSubscriptionSignedBytes({
        deviceId: stored.factor_id,
        subscription: { endpoint: subscription.endpoint, p256dh: subscription.keys.p256dh, auth: subscription.keys.auth },
        deviceTime,
        audience,
      }),
    signal: options.signal,
  });
  if (!isAllowedPushEndpoint(subscription.endpoint, pushSettingsOf(deps).serviceHosts)) {
    return refusePushRequest({
      deps,
      reason: 'subscription_host_not_allowed',
      deviceId: options.deviceId,
      device,
      procedure: 'deviceUpdateSubscription',
      problem: pushServiceHostOf(subscription.endpoint),
    });
  }
  const current =
    device.subscription_enc === null ? null : decryptPushSubscription({ keyring: deps.keyring, factorId: device.factor_id, envelope: device.subscription_enc });
  if (current !== null && device.subscription_gone_at === null && isSameSubscription(current, subscription)) return { ok: true };

  const vapid = await getVapidKeys(deps);
  const subscriptionEnc = encryptPushSubscription({ keyring: deps.keyring, random: deps.random, factorId: device.factor_id, subscription });
  // Idempotent: the same update applied twice stores the same subscription.
  await withDatabaseRetry(
    deps,
    (deadline) =>
      withTransaction(deps.db.pool, deadline, async (sql) => {
        await sql.query('UPDATE push_devices SET subscription_enc = $2, subscription_gone_at = NULL, vapid_key_id = $3 WHERE factor_id = $1', [
          device.factor_id,
          subscriptionEnc,
          vapid.id,
        ]);
        await writeAuditEvent(sql, {
          type: 'push.subscription_updated',
          gatewayId: deps.gateway.id,
          region: deps.gateway.region,
          applicationId: device.application_id,
          userId: device.user_id,
          factorId: device.factor_id,
          // The push service's host only: the endpoint path and the keys are the device's secrets.
          detail: {
            pushService: pushServiceHostOf(subscription.endpoint),
            previousPushService: current === null ? null : pushServiceHostOf(current.endpoint),
            wasGone: device.subscription_gone_at !== null,
          },
        });
      }),
    options.signal,
  );
  return { ok: true };
}
