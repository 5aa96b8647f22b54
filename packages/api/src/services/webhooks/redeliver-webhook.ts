import { HoldfastError } from '@holdfast/core';
import type { SqlClient } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { webhookAttemptLimit } from './retry-delay';

/**
 * Queues a delivered or failed event again, now, with a fresh retry budget and the same id (the
 * receiver dedupes by it). A pending one is left as it is. Plain SQL: the new budget is computed
 * from the row's own count in the one UPDATE (SET reads the row as it was).
 */
export async function redeliverWebhook(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  deliveryId: string;
  /** A transaction to run in (the admin console audits the redelivery in it); the pool otherwise. */
  sql?: Pick<SqlClient, 'query'>;
}): Promise<{ id: string; status: 'pending' }> {
  const { deps, application } = options;
  const sql = options.sql ?? deps.db.pool;
  const configured = await sql.query('SELECT 1 FROM application_webhooks WHERE application_id = $1::uuid', [application.id]);
  if (configured.rowCount === 0) throw new HoldfastError('WEBHOOK_NOT_CONFIGURED', 'no webhook endpoint is configured');
  const result = await sql.query<{ id: string }>(
    `UPDATE webhook_deliveries
        SET status = 'pending',
            next_attempt_at = CASE WHEN status = 'pending' THEN next_attempt_at ELSE now() END,
            attempt_limit = CASE WHEN status = 'pending' THEN attempt_limit ELSE attempt_count + $3 END
      WHERE id = $1::uuid AND application_id = $2::uuid
      RETURNING id`,
    [options.deliveryId, application.id, webhookAttemptLimit],
  );
  if (result.rowCount === 0) throw new HoldfastError('WEBHOOK_DELIVERY_NOT_FOUND', 'no such webhook delivery');
  return { id: options.deliveryId, status: 'pending' };
}
