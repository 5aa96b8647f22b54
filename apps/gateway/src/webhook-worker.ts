import { startWebhookWorker, type ServiceDeps } from '@holdfast/api';
import type { GatewayEnv } from './env';
import type { GatewayLog } from './log';

/**
 * Every gateway runs a webhook delivery worker; they share the work through the database
 * (`FOR UPDATE SKIP LOCKED` in api/services/webhooks), so adding gateways never sends twice at once.
 */
export function startGatewayWebhookWorker(options: { env: GatewayEnv; deps: ServiceDeps; log: GatewayLog }): { stop: () => Promise<void> } {
  return startWebhookWorker({
    deps: options.deps,
    log: options.log,
    settings: {
      pollIntervalMs: options.env.HOLDFAST_WEBHOOK_POLL_INTERVAL_MS,
      backoffBaseMs: options.env.HOLDFAST_WEBHOOK_BACKOFF_BASE_MS,
      timeoutMs: options.env.HOLDFAST_WEBHOOK_TIMEOUT_MS,
    },
  });
}
