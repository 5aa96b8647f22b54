import { HoldfastError, maxBoundFactorsPerUser, parseDevicePublicJwk, type FactorChangeDecision } from '@holdfast/core';
import { awaitReplicationBarrier, hashToken, withDatabaseRetry, withTransaction, writeAuditEvent, type SqlClient } from '@holdfast/db';
import { randomUUID } from 'node:crypto';
import type { EnrollmentPrincipal, ServiceDeps } from '../../deps';
import { authorizeFactorChange, recordFirstBindingStepUp } from '../enrollment/authorize-factor-change';
import { assertAllowedPushEndpoint, encryptPushSubscription, pushAudienceFor, pushServiceHostOf, type StoredPushSubscription } from './push-subscription-store';
import { getVapidKeys } from './vapid-keys';

export interface PairedPushDevice {
  deviceId: string;
  applicationId: string;
  applicationName: string;
  userId: string;
  audience: string;
  vapidPublicKey: string;
}

type PairingRow = { application_id: string; user_id: string; external_id: string; application_name: string };
type TokenRow = { user_id: string; enrollment_link_id: string; is_first_binding: boolean };

const pairingInvalid = (): HoldfastError =>
  new HoldfastError('PUSH_PAIRING_INVALID', 'this pairing link is unknown, expired or already used; ask for a new one');

/**
 * The PWA registers its public key (and its Web Push subscription, if it has one) with a pairing
 * token. Everything the device sent is checked before anything is spent: the JWK strictly (a
 * private `d` is refused, not trimmed), the subscription's endpoint against the deployment's push
 * services (SSRF). Then ONE transaction: the user's row locked (user first, as every factor
 * change), the token redeemed by compare-and-set (single use across gateways), the factor cap,
 * the `push` factor and its device row (subscription envelope-encrypted, invariant 6), and the
 * audit rows `push.device_paired` and `factor.enrolled` (the application's webhook hears of it;
 * invariant 7). The factors trigger tells every gateway's cache.
 *
 * The device id is chosen before the first try, so a retry after a doubtful commit (the token is
 * spent, by us) finds its own device and answers the same — after the replication barrier.
 */
export async function pairPushDevice(options: {
  deps: ServiceDeps;
  pairingToken: string;
  publicKeyJwk: unknown;
  subscription: StoredPushSubscription | null;
  name: string;
  signal?: AbortSignal;
}): Promise<PairedPushDevice> {
  const { deps, subscription } = options;
  const jwk = parseDevicePublicJwk(options.publicKeyJwk);
  if (!jwk.isValid) throw new HoldfastError('BAD_REQUEST', `the device public key is not usable: ${jwk.problem}`);
  if (subscription !== null) assertAllowedPushEndpoint(deps, subscription.endpoint);
  const vapid = await getVapidKeys(deps);
  const deviceId = randomUUID();
  const tokenHash = hashToken(options.pairingToken);
  const subscriptionEnc =
    subscription === null ? null : encryptPushSubscription({ keyring: deps.keyring, random: deps.random, factorId: deviceId, subscription });

  const paired = await withDatabaseRetry(
    deps,
    (deadline) =>
      withTransaction(deps.db.pool, deadline, async (sql): Promise<{ row: PairingRow; isReplayed: boolean }> => {
        const found = await sql.query<TokenRow>('SELECT user_id, enrollment_link_id, is_first_binding FROM push_pairing_tokens WHERE token_hash = $1', [
          tokenHash,
        ]);
        const token = found.rows[0];
        if (token === undefined) throw pairingInvalid();
        const userId = token.user_id;
        const users = await sql.query<PairingRow>(
          `SELECT u.application_id, u.id AS user_id, u.external_id, a.name AS application_name
             FROM users u JOIN applications a ON a.id = u.application_id WHERE u.id = $1 FOR UPDATE OF u`,
          [userId],
        );
        const user = users.rows[0];
        if (user === undefined) throw pairingInvalid();
        const redeemed = await sql.query<{ id: string }>(
          'UPDATE push_pairing_tokens SET redeemed_at = now() WHERE token_hash = $1 AND redeemed_at IS NULL AND expires_at > now() RETURNING id',
          [tokenHash],
        );
        const pairingId = redeemed.rows[0]?.id;
        if (pairingId === undefined) {
          // Spent: by an earlier try of this very request (its commit was doubtful), or by anyone else.
          if (await isOwnDevice(sql, deviceId, userId)) return { row: user, isReplayed: true };
          throw pairingInvalid();
        }
        const firstBinding = await authorizePairing({ sql, deps, token, user });
        await insertDevice({ sql, deps, user, deviceId, jwk: jwk.jwk, subscriptionEnc, vapidKeyId: vapid.id, name: options.name });
        if (firstBinding !== null) await recordFirstBindingStepUp({ db: sql, ...firstBinding, factorId: deviceId });
        await auditPairing({ sql, deps, user, deviceId, subscription, pairingId });
        return { row: user, isReplayed: false };
      }),
    options.signal,
  );
  // A recorded pairing is answered only once the standby has it (invariant 2).
  if (paired.isReplayed) await withDatabaseRetry(deps, (deadline) => awaitReplicationBarrier(deps.db.pool, deadline), options.signal);
  const { row } = paired;
  return {
    deviceId,
    applicationId: row.application_id,
    applicationName: row.application_name,
    userId: row.external_id,
    audience: pushAudienceFor(deps, row.application_id),
    vapidPublicKey: vapid.publicKey,
  };
}

/**
 * Invariant 11 at the moment the device is added, not only when the link was made: the enrollment
 * session that made the token must not have ended since (a logout or a newer link ends its
 * pairings too), and a token made as the user's FIRST factor pairs without a step-up only while
 * it still is the first (two first-binding tokens cannot both bind; a later one needs that
 * session's fresh step-up). A first binding steps the session up, as a confirmed TOTP does, so
 * the rest of a first setup in the portal needs no second proof. Any refusal is the one pairing
 * error (the transaction rolls back: the token stays unused until it expires).
 */
async function authorizePairing(options: {
  sql: SqlClient;
  deps: ServiceDeps;
  token: TokenRow;
  user: PairingRow;
}): Promise<{ enrollment: EnrollmentPrincipal; decision: Extract<FactorChangeDecision, { isAllowed: true }>; now: Date } | null> {
  const { sql, token, user } = options;
  const enrollment: EnrollmentPrincipal = {
    linkId: token.enrollment_link_id,
    applicationId: user.application_id,
    userId: user.user_id,
    externalUserId: user.external_id,
  };
  if (!token.is_first_binding) {
    const link = await sql.query('SELECT 1 FROM enrollment_links WHERE id = $1 AND ended_at IS NULL', [token.enrollment_link_id]);
    if (link.rowCount !== 1) throw pairingInvalid();
    return null;
  }
  const now = options.deps.clock();
  try {
    // The user's row is already locked by this transaction.
    const decision = await authorizeFactorChange({ db: sql, enrollment, change: 'add', now, isPrecheck: true });
    return { enrollment, decision, now };
  } catch (error) {
    if (error instanceof HoldfastError) throw pairingInvalid();
    throw error;
  }
}

async function isOwnDevice(sql: SqlClient, deviceId: string, userId: string): Promise<boolean> {
  const { rowCount } = await sql.query('SELECT 1 FROM push_devices WHERE factor_id = $1 AND user_id = $2', [deviceId, userId]);
  return rowCount === 1;
}

async function insertDevice(options: {
  sql: SqlClient;
  deps: ServiceDeps;
  user: PairingRow;
  deviceId: string;
  jwk: object;
  subscriptionEnc: string | null;
  vapidKeyId: string;
  name: string;
}): Promise<void> {
  const { sql, user, deviceId } = options;
  // Same rule as the step-up gate's cap (core maxBoundFactorsPerUser, enrollment/authorize-factor-change.ts):
  // locked and suspended factors count; bypass codes do not — an admin's one-time code (used or
  // expired ones stay `active`) is no factor the user bound, and must not block pairing a device.
  const bound = await sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM factors WHERE user_id = $1 AND status NOT IN ('pending', 'revoked') AND kind <> 'bypass'`,
    [user.user_id],
  );
  if ((bound.rows[0]?.count ?? 0) >= maxBoundFactorsPerUser) {
    throw new HoldfastError('FACTOR_LIMIT_REACHED', `you already have ${maxBoundFactorsPerUser} factors; remove one before adding another`);
  }
  await sql.query(`INSERT INTO factors (id, user_id, kind, label, status) VALUES ($1, $2, 'push', $3, 'active')`, [deviceId, user.user_id, options.name]);
  await sql.query(
    'INSERT INTO push_devices (factor_id, user_id, public_jwk, subscription_enc, vapid_key_id, last_seen_at) VALUES ($1, $2, $3::jsonb, $4, $5, now())',
    [deviceId, user.user_id, JSON.stringify(options.jwk), options.subscriptionEnc, options.vapidKeyId],
  );
}

async function auditPairing(options: {
  sql: SqlClient;
  deps: ServiceDeps;
  user: PairingRow;
  deviceId: string;
  subscription: StoredPushSubscription | null;
  pairingId: string;
}): Promise<void> {
  const { sql, deps, user, deviceId, subscription } = options;
  const audit = { gatewayId: deps.gateway.id, region: deps.gateway.region, applicationId: user.application_id, userId: user.user_id, factorId: deviceId };
  await writeAuditEvent(sql, {
    ...audit,
    type: 'push.device_paired',
    // The push service's host only: the endpoint's path and the keys are the device's secrets.
    detail: { pairingId: options.pairingId, pushService: subscription === null ? null : pushServiceHostOf(subscription.endpoint) },
  });
  await writeAuditEvent(sql, { ...audit, type: 'factor.enrolled', detail: { kind: 'push' } });
}
