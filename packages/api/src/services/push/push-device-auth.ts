import { defaultPushClockSkewMs, HoldfastError, verifyDeviceSignature } from '@holdfast/core';
import { withDatabaseRetry, type SqlClient } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';
import { writeStandaloneAuditEvent } from '../audit/write-standalone-audit-event';
import { pushAudienceFor } from './push-subscription-store';

/** A paired device as the gateway holds it: what every signed device request is checked against. */
export type PushDeviceRow = {
  factor_id: string;
  user_id: string;
  public_jwk: unknown;
  factor_status: string;
  factor_locked_until: Date | null;
  factor_failed_count: number;
  subscription_enc: string | null;
  subscription_gone_at: Date | null;
  application_id: string;
  application_name: string;
};

/** The device with its factor and application; `$1` is the device (factor) id. Kind `push` only. */
export const pushDeviceSelect = `SELECT d.factor_id, d.user_id, d.public_jwk, f.status::text AS factor_status, f.locked_until AS factor_locked_until,
         f.failed_count AS factor_failed_count, d.subscription_enc, d.subscription_gone_at,
         u.application_id, a.name AS application_name
    FROM push_devices d
    JOIN factors f ON f.id = d.factor_id AND f.kind = 'push'
    JOIN users u ON u.id = d.user_id
    JOIN applications a ON a.id = u.application_id
   WHERE d.factor_id = $1`;

export async function readPushDevice(sql: Pick<SqlClient, 'query'>, deviceId: string): Promise<PushDeviceRow | undefined> {
  return (await sql.query<PushDeviceRow>(pushDeviceSelect, [deviceId])).rows[0];
}

/** Why a device request changed nothing: the audit trail's words (the device only ever hears PUSH_REQUEST_REFUSED). */
export type PushRefusalReason =
  | 'unknown_device'
  | 'device_inactive'
  | 'device_locked'
  | 'account_locked'
  | 'device_clock_skew'
  | 'signature_malformed'
  | 'signature_mismatch'
  | 'key_invalid'
  | 'malformed_request'
  | 'unknown_transaction'
  | 'not_pending'
  | 'malformed_answer'
  | 'subscription_host_not_allowed';

/**
 * The one answer a device gets for any request that cannot be acted on (privacyIDEA's rule: every
 * failure looks the same, so a probe learns nothing), and the audit row `push.answer_refused` with
 * the specific reason — written on its own (autocommit), so it survives the refused request. The
 * signature itself is never written anywhere.
 */
export async function refusePushRequest(options: {
  deps: ServiceDeps;
  reason: PushRefusalReason;
  deviceId: string;
  device?: PushDeviceRow | undefined;
  transactionId?: string;
  procedure: 'devicePending' | 'deviceAnswer' | 'deviceUpdateSubscription';
  problem?: string;
}): Promise<never> {
  const { deps, device } = options;
  await writeStandaloneAuditEvent({
    deps,
    db: deps.db.pool,
    isRetried: true,
    event: {
      type: 'push.answer_refused',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: device?.application_id ?? null,
      userId: device?.user_id ?? null,
      factorId: device?.factor_id ?? null,
      detail: {
        reason: options.reason,
        procedure: options.procedure,
        deviceId: options.deviceId,
        ...(options.transactionId === undefined ? {} : { transactionId: options.transactionId }),
        ...(options.problem === undefined ? {} : { problem: options.problem }),
      },
    },
  });
  throw new HoldfastError('PUSH_REQUEST_REFUSED', 'This request cannot be answered');
}

/**
 * Checks a signed device request against the device row the gateway holds: an active `push`
 * factor of an existing user, the device clock within core's skew of the gateway's, and the
 * signature over bytes the CALLER rebuilt from stored ids and this gateway's own audience
 * (`buildPayload` gets that audience; it may throw BAD_REQUEST on fields no honest device sends).
 * Any failure refuses the request (refusePushRequest). Returns the device and its audience.
 */
export async function verifyPushDeviceRequest(options: {
  deps: ServiceDeps;
  deviceId: string;
  device: PushDeviceRow | undefined;
  deviceTimeMs: number;
  signature: string;
  buildPayload: (context: { device: PushDeviceRow; audience: string; deviceTime: Date }) => Uint8Array;
  procedure: 'devicePending' | 'deviceAnswer' | 'deviceUpdateSubscription';
  transactionId?: string;
}): Promise<{ device: PushDeviceRow; audience: string }> {
  const { deps, device } = options;
  const refuse = (reason: PushRefusalReason, problem?: string): Promise<never> =>
    refusePushRequest({
      deps,
      reason,
      deviceId: options.deviceId,
      device,
      procedure: options.procedure,
      ...(options.transactionId === undefined ? {} : { transactionId: options.transactionId }),
      ...(problem === undefined ? {} : { problem }),
    });
  if (device === undefined) return refuse('unknown_device');
  // Revoked (removed in the portal), suspended or still pending: the key proves nothing any more.
  if (device.factor_status !== 'active') return refuse('device_inactive', device.factor_status);
  const now = deps.clock();
  const deviceTime = new Date(options.deviceTimeMs);
  if (!Number.isFinite(deviceTime.getTime()) || Math.abs(deviceTime.getTime() - now.getTime()) > defaultPushClockSkewMs) {
    return refuse('device_clock_skew', `device clock ${String(options.deviceTimeMs - now.getTime())} ms from the gateway's`);
  }
  const audience = pushAudienceFor(deps, device.application_id);
  let payload: Uint8Array;
  try {
    payload = options.buildPayload({ device, audience, deviceTime });
  } catch (error) {
    return refuse('malformed_request', error instanceof Error ? error.message.slice(0, 120) : undefined);
  }
  const check = verifyDeviceSignature({ publicKeyJwk: device.public_jwk, signature: new Uint8Array(Buffer.from(options.signature, 'base64url')), payload });
  if (!check.isValid) return refuse(check.reason, check.problem);
  return { device, audience };
}

/** Marks the device as seen (a signed request verified): the portal's device list shows it. */
export async function touchPushDevice(sql: Pick<SqlClient, 'query'>, deviceId: string): Promise<void> {
  await sql.query('UPDATE push_devices SET last_seen_at = now() WHERE factor_id = $1', [deviceId]);
}

/** Load + verify + touch, for requests that need nothing but the device (the pending list, a subscription update). */
export async function authenticatePushDevice(options: {
  deps: ServiceDeps;
  deviceId: string;
  deviceTimeMs: number;
  signature: string;
  buildPayload: (context: { device: PushDeviceRow; audience: string; deviceTime: Date }) => Uint8Array;
  procedure: 'devicePending' | 'deviceUpdateSubscription';
  signal?: AbortSignal;
}): Promise<{ device: PushDeviceRow; audience: string }> {
  const { deps } = options;
  const device = await withDatabaseRetry(deps, () => readPushDevice(deps.db.pool, options.deviceId), options.signal);
  const verified = await verifyPushDeviceRequest({ ...options, device });
  await withDatabaseRetry(deps, () => touchPushDevice(deps.db.pool, options.deviceId), options.signal);
  return verified;
}
