import type { ServiceDeps } from '../../deps';
import { webhookRetryDelayMs } from './retry-delay';
import { sendWebhook, type WebhookAttemptResult } from './send-webhook';
import { decryptWebhookSecret } from './webhook-secret';

export interface WebhookWorkerSettings {
  /** How often an idle worker looks for due deliveries. */
  pollIntervalMs: number;
  /** The first retry's delay; later ones are multiples of it (retry-delay.ts). */
  backoffBaseMs: number;
  /** Per-attempt limit for the receiver's answer. */
  timeoutMs: number;
  /** Deliveries claimed (and sent concurrently) per round. */
  batchSize: number;
}

/** What the worker needs of a gateway's dependencies. */
export type WebhookWorkerDeps = Pick<ServiceDeps, 'db' | 'gateway' | 'keyring' | 'random' | 'clock'>;

export const defaultWebhookWorkerSettings: WebhookWorkerSettings = { pollIntervalMs: 1_000, backoffBaseMs: 10_000, timeoutMs: 5_000, batchSize: 10 };

interface ClaimedDelivery {
  id: string;
  application_id: string;
  body: string;
  attempt_count: number;
  attempt_limit: number;
  url: string | null;
  secret_enc: string | null;
}

/**
 * Claims due deliveries for this gateway. `FOR UPDATE … SKIP LOCKED` lets every gateway run a
 * worker without two of them taking the same row; the claim pushes `next_attempt_at` past the
 * attempt's timeout (a lease) and counts the attempt, so a gateway that dies mid-send leaves the
 * row to be retried by another once the lease ends — at least once, never lost. Plain SQL: the
 * locking clause is the invariant.
 */
const claimDueDeliveries = `WITH due AS (
  SELECT d.id, w.url, w.secret_enc
    FROM webhook_deliveries d
    LEFT JOIN application_webhooks w ON w.application_id = d.application_id
   WHERE d.status = 'pending' AND d.next_attempt_at <= now()
   ORDER BY d.next_attempt_at
   LIMIT $1
   FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhook_deliveries d
   SET attempt_count = d.attempt_count + 1,
       next_attempt_at = now() + $2::int * interval '1 millisecond'
  FROM due
 WHERE d.id = due.id
RETURNING d.id, d.application_id, d.payload::text AS body, d.attempt_count, d.attempt_limit, due.url, due.secret_enc`;

/**
 * The attempt goes into the log and the delivery's state moves, in one statement. The state moves
 * only if this is still the delivery's latest claim: an attempt whose lease ran out (and was
 * retried elsewhere) is logged but decides nothing.
 */
const recordAttempt = `WITH logged AS (
  INSERT INTO webhook_delivery_attempts (delivery_id, attempt, gateway_id, started_at, duration_ms, status_code, error)
  VALUES ($1::uuid, $2::int, $3, $4::timestamptz, $5::int, $6::int, $7::varchar)
)
UPDATE webhook_deliveries
   SET status = $8::webhook_delivery_status,
       next_attempt_at = COALESCE(now() + $9::int * interval '1 millisecond', next_attempt_at),
       last_status_code = $6::int,
       last_error = $7::varchar,
       delivered_at = CASE WHEN $8::webhook_delivery_status = 'delivered' THEN now() ELSE NULL END
 WHERE id = $1::uuid AND attempt_count = $2::int AND status = 'pending'`;

async function attemptDelivery(options: {
  deps: WebhookWorkerDeps;
  settings: WebhookWorkerSettings;
  delivery: ClaimedDelivery;
  signal: AbortSignal;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): Promise<void> {
  const { deps, settings, delivery } = options;
  const startedAt = deps.clock();
  let result: WebhookAttemptResult;
  if (delivery.url === null || delivery.secret_enc === null) {
    // The endpoint was removed after the event was queued: there is nowhere to send it.
    result = { statusCode: null, error: 'webhook removed', durationMs: 0, isDelivered: false };
  } else {
    let secret: string | null = null;
    try {
      secret = decryptWebhookSecret({ keyring: deps.keyring, applicationId: delivery.application_id, envelope: delivery.secret_enc });
    } catch {
      // E.g. its key was removed from the keyring before rotation finished: retry with backoff.
    }
    result =
      secret === null
        ? { statusCode: null, error: 'secret unavailable', durationMs: 0, isDelivered: false }
        : await sendWebhook({
            url: delivery.url,
            secret,
            id: delivery.id,
            body: delivery.body,
            timestamp: Math.floor(startedAt.getTime() / 1000),
            timeoutMs: settings.timeoutMs,
            signal: options.signal,
          });
  }
  const isRemoved = delivery.url === null;
  const isLast = delivery.attempt_count >= delivery.attempt_limit || isRemoved;
  const status = result.isDelivered ? 'delivered' : isLast ? 'failed' : 'pending';
  const delayMs =
    status === 'pending' ? webhookRetryDelayMs({ failedAttempt: delivery.attempt_count, baseMs: settings.backoffBaseMs, random: deps.random }) : null;
  await deps.db.pool.query(recordAttempt, [
    delivery.id,
    delivery.attempt_count,
    deps.gateway.id,
    startedAt,
    result.durationMs,
    result.statusCode,
    result.error,
    status,
    delayMs,
  ]);
  if (!result.isDelivered) {
    options.log(status === 'failed' ? 'webhook_failed' : 'webhook_retry', {
      deliveryId: delivery.id,
      applicationId: delivery.application_id,
      attempt: delivery.attempt_count,
      statusCode: result.statusCode,
      error: result.error,
      ...(delayMs === null ? {} : { retryInMs: delayMs }),
    });
  }
}

/** One round: claim what is due and send it all concurrently. Returns how many were claimed. */
export async function deliverDueWebhooks(options: {
  deps: WebhookWorkerDeps;
  settings: WebhookWorkerSettings;
  signal: AbortSignal;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): Promise<number> {
  const { deps, settings } = options;
  const leaseMs = settings.timeoutMs + 30_000;
  const claimed = await deps.db.pool.query<ClaimedDelivery>(claimDueDeliveries, [settings.batchSize, leaseMs]);
  await Promise.all(
    claimed.rows.map((delivery) =>
      attemptDelivery({ ...options, delivery }).catch((error: unknown) => {
        // Not recorded (the database went away): the lease runs out and a gateway tries again.
        options.log('webhook_record_failed', { deliveryId: delivery.id, message: error instanceof Error ? error.message : String(error) });
      }),
    ),
  );
  return claimed.rows.length;
}

/**
 * The delivery worker every gateway runs: polls for due deliveries, and keeps going without a
 * pause while rounds come back full. Stopping aborts sends in flight (they are logged as attempts
 * and retried later, by any gateway).
 */
export function startWebhookWorker(options: {
  deps: WebhookWorkerDeps;
  settings?: Partial<WebhookWorkerSettings>;
  log: (event: string, fields?: Record<string, unknown>) => void;
}): { stop: () => Promise<void> } {
  const settings: WebhookWorkerSettings = { ...defaultWebhookWorkerSettings, ...options.settings };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let round: Promise<void> | null = null;

  const runRounds = async (): Promise<void> => {
    try {
      while (!controller.signal.aborted) {
        const claimed = await deliverDueWebhooks({ deps: options.deps, settings, signal: controller.signal, log: options.log });
        if (claimed < settings.batchSize) break;
      }
    } catch (error) {
      options.deps.db.reportError(error);
      options.log('webhook_worker_error', { message: error instanceof Error ? error.message : String(error) });
    }
  };
  const schedule = (): void => {
    if (controller.signal.aborted) return;
    timer = setTimeout(() => {
      timer = null;
      round = runRounds().finally(() => {
        round = null;
        schedule();
      });
    }, settings.pollIntervalMs);
  };
  schedule();

  return {
    stop: async () => {
      controller.abort();
      if (timer !== null) clearTimeout(timer);
      await round;
    },
  };
}
