import { effectivePushStatus, pushListRequestSignedBytes, type PushTransactionStatus } from '@holdfast/core';
import type { PushContext } from '@holdfast/validators';
import { withDatabaseRetry } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';
import { authenticatePushDevice } from './push-device-auth';

export interface DevicePendingTransaction {
  transactionId: string;
  applicationName: string;
  context: PushContext;
  createdAt: Date;
  expiresAt: Date;
}

type PendingRow = { id: string; context: unknown; status: PushTransactionStatus; created_at: Date; expires_at: Date };

/**
 * The device's signed "what is waiting for me?" — the fallback when Web Push is late or down, and
 * what the PWA shows when it opens. The user's pending, unexpired transactions of the device's
 * application, with what the login screen told about the login — never the number (the user
 * types it from the login screen; a device that could read it would approve by itself).
 */
export async function listDevicePending(options: {
  deps: ServiceDeps;
  deviceId: string;
  deviceTime: number;
  signature: string;
  signal?: AbortSignal;
}): Promise<{ transactions: DevicePendingTransaction[] }> {
  const { deps } = options;
  const { device } = await authenticatePushDevice({
    deps,
    deviceId: options.deviceId,
    deviceTimeMs: options.deviceTime,
    signature: options.signature,
    procedure: 'devicePending',
    // The stored device id, not the one sent (they are equal here, but the rule is one rule).
    buildPayload: ({ device: stored, audience, deviceTime }) => pushListRequestSignedBytes({ deviceId: stored.factor_id, deviceTime, audience }),
    signal: options.signal,
  });
  const { rows } = await withDatabaseRetry(
    deps,
    () =>
      deps.db.pool.query<PendingRow>(
        `SELECT id, context, status, created_at, expires_at FROM push_transactions
          WHERE user_id = $1 AND application_id = $2 AND status = 'pending' AND expires_at > now()
          ORDER BY created_at`,
        [device.user_id, device.application_id],
      ),
    options.signal,
  );
  const now = deps.clock();
  return {
    transactions: rows
      .filter((row) => effectivePushStatus({ status: row.status, expiresAt: row.expires_at, now }) === 'pending')
      .map((row) => ({
        transactionId: row.id,
        applicationName: device.application_name,
        context: contextForDevice(row.context),
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      })),
  };
}

/** Only the words the device is shown (validators pushContext), whatever else the row's context holds. */
function contextForDevice(stored: unknown): PushContext {
  const context: PushContext = {};
  if (typeof stored !== 'object' || stored === null) return context;
  const { ipAddress, location, browser } = stored as Record<string, unknown>;
  if (typeof ipAddress === 'string') context.ipAddress = ipAddress;
  if (typeof location === 'string') context.location = location;
  if (typeof browser === 'string') context.browser = browser;
  return context;
}
