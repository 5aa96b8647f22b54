import { withTransaction, writeAuditEvent } from '@holdfast/db';
import https from 'node:https';
import tls from 'node:tls';
import webpush from 'web-push';
import type { ServiceDeps } from '../../deps';
import { decryptPushSubscription, isAllowedPushEndpoint, pushServiceHostOf, pushSettingsOf, type StoredPushSubscription } from './push-subscription-store';
import { getVapidKeys } from './vapid-keys';

/** One push service request may take this long (socket timeout); the transaction lives ~60 s. */
const pushRequestTimeoutMs = 10_000;

interface TransactionRow {
  id: string;
  application_id: string;
  user_id: string;
  attempt_id: string;
  status: string;
  expires_at: Date;
  application_name: string;
  db_now: Date;
}

interface DeviceRow {
  factor_id: string;
  subscription_enc: string;
}

type Delivery = 'delivered' | 'gone' | 'failed' | 'refused_host' | 'undecryptable';

/** One agent per extra CA (a test's local push service): the system roots plus it. */
const agents = new Map<string, https.Agent>();
function agentFor(ca: string | undefined): https.Agent | undefined {
  if (ca === undefined) return undefined;
  let agent = agents.get(ca);
  if (agent === undefined) {
    agent = new https.Agent({ ca: [...tls.rootCertificates, ca], keepAlive: true });
    agents.set(ca, agent);
  }
  return agent;
}

function statusCodeOf(error: unknown): number | null {
  return typeof error === 'object' && error !== null && typeof (error as { statusCode?: unknown }).statusCode === 'number'
    ? (error as { statusCode: number }).statusCode
    : null;
}

/**
 * The Web Push for a pending transaction, to every active push device of its user that has a
 * subscription (issue 11). Runs after beginPush's commit; never throws (delivery is best effort:
 * the PWA lists pending transactions when opened, so approval works with push down).
 *  - Each subscription is decrypted (AAD `push-subscription:<factor id>`, invariant 6) and its
 *    endpoint host checked again against `deps.push.serviceHosts` (SSRF: a row written before the
 *    list changed is not trusted blindly); a refused host is never contacted.
 *  - `web-push` signs VAPID with the deployment's key and encrypts the payload (RFC 8291):
 *    `{ transactionId, applicationName, expiresAt }` — never the number, which only the login
 *    screen shows. TTL = seconds the transaction has left (a late push is useless), urgency high,
 *    topic = the transaction id as 32 hex characters (an undelivered push is replaced, not stacked).
 *  - 404/410: the subscription is dead — nulled (only if it is still the one we sent to: the device
 *    may have re-subscribed meanwhile) with `subscription_gone_at` and a `push.subscription_gone`
 *    audit row, in one transaction. One `push.sent` row counts the outcomes.
 * Logs and audit rows name the push service's host only: an endpoint's path is a capability.
 */
export async function sendPushNotifications(options: { deps: ServiceDeps; transactionId: string }): Promise<void> {
  const { deps, transactionId } = options;
  try {
    const { rows } = await deps.db.pool.query<TransactionRow>(
      `SELECT t.id, t.application_id, t.user_id, t.attempt_id, t.status::text AS status, t.expires_at,
              a.name AS application_name, clock_timestamp() AS db_now
         FROM push_transactions t JOIN applications a ON a.id = t.application_id
        WHERE t.id = $1`,
      [transactionId],
    );
    const transaction = rows[0];
    if (transaction === undefined || transaction.status !== 'pending') return;
    const secondsLeft = Math.floor((transaction.expires_at.getTime() - transaction.db_now.getTime()) / 1000);
    // A push that arrives after its transaction ended would show a notification for nothing.
    if (secondsLeft <= 0) return;
    const { rows: devices } = await deps.db.pool.query<DeviceRow>(
      `SELECT d.factor_id, d.subscription_enc
         FROM push_devices d JOIN factors f ON f.id = d.factor_id
        WHERE d.user_id = $1 AND f.kind = 'push' AND f.status = 'active' AND d.subscription_enc IS NOT NULL`,
      [transaction.user_id],
    );
    if (devices.length === 0) return;
    const settings = pushSettingsOf(deps);
    const vapid = await getVapidKeys(deps);
    const agent = agentFor(settings.ca);
    const payload = JSON.stringify({ transactionId, applicationName: transaction.application_name, expiresAt: transaction.expires_at.toISOString() });

    const deliver = async (device: DeviceRow): Promise<Delivery> => {
      let subscription: StoredPushSubscription;
      try {
        subscription = decryptPushSubscription({ keyring: deps.keyring, factorId: device.factor_id, envelope: device.subscription_enc });
      } catch {
        return 'undecryptable';
      }
      if (!isAllowedPushEndpoint(subscription.endpoint, settings.serviceHosts)) return 'refused_host';
      try {
        await webpush.sendNotification(subscription, payload, {
          vapidDetails: { subject: settings.vapidSubject, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
          TTL: secondsLeft,
          urgency: 'high',
          topic: transactionId.replace(/-/g, ''),
          timeout: pushRequestTimeoutMs,
          ...(agent === undefined ? {} : { agent }),
        });
        return 'delivered';
      } catch (error) {
        const status = statusCodeOf(error);
        if (status !== 404 && status !== 410) return 'failed';
        await withTransaction(deps.db.pool, null, async (sql) => {
          const gone = await sql.query(
            `UPDATE push_devices SET subscription_enc = NULL, subscription_gone_at = now()
              WHERE factor_id = $1 AND subscription_enc = $2`,
            [device.factor_id, device.subscription_enc],
          );
          if (gone.rowCount === 1) {
            await writeAuditEvent(sql, {
              type: 'push.subscription_gone',
              gatewayId: deps.gateway.id,
              region: deps.gateway.region,
              applicationId: transaction.application_id,
              userId: transaction.user_id,
              factorId: device.factor_id,
              detail: { transactionId, status, host: pushServiceHostOf(subscription.endpoint) },
            });
          }
        }).catch(() => undefined);
        return 'gone';
      }
    };

    const outcomes = await Promise.all(devices.map(deliver));
    const count = (outcome: Delivery): number => outcomes.filter((value) => value === outcome).length;
    await writeAuditEvent(deps.db.pool, {
      type: 'push.sent',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: transaction.application_id,
      userId: transaction.user_id,
      attemptId: transaction.attempt_id,
      detail: {
        transactionId,
        devices: devices.length,
        delivered: count('delivered'),
        failed: count('failed') + count('undecryptable'),
        gone: count('gone'),
        refusedHost: count('refused_host'),
      },
    });
  } catch {
    // Best effort by design: a database or VAPID failure here leaves the transaction pending,
    // and the device still finds it by listing its pending requests.
  }
}
