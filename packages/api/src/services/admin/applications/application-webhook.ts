import { HoldfastError } from '@holdfast/core';
import { withTransaction } from '@holdfast/db';
import type { AdminApplication, adminWebhookDelivery } from '@holdfast/validators';
import type { z } from 'zod';
import type { ServiceDeps } from '../../../deps';
import { configureWebhook, type WebhookEndpoint } from '../../webhooks/configure-webhook';
import { listWebhookDeliveries, type WebhookDeliveryLogEntry } from '../../webhooks/list-webhook-deliveries';
import { redeliverWebhook } from '../../webhooks/redeliver-webhook';
import { writeAdminActionAudit } from '../admin-audit';
import type { AdminPrincipal } from '../admin-principal';
import { loadAdminApplication, principalOf, requireAdminApplication } from './application-view';

type AdminWebhookDelivery = z.output<typeof adminWebhookDelivery>;

// The application's webhook from the console: the relying-app services (services/webhooks) do the
// work, so the URL rules, the secret's envelope and the delivery log are the same as through the
// API key; the console adds the admin's audit row in the same transaction.

async function requireApplication(deps: ServiceDeps, applicationId: string): Promise<AdminApplication> {
  const application = await loadAdminApplication({ deps, sql: deps.db.pool, applicationId });
  if (application === null) throw new HoldfastError('APPLICATION_NOT_FOUND', 'no such application');
  return application;
}

/** What the trail keeps of an endpoint: the host only (a path may carry the receiver's own token), never the secret. */
function endpointForAudit(endpoint: WebhookEndpoint | null): { host: string; secretCreatedAt: string } | null {
  return endpoint === null ? null : { host: new URL(endpoint.url).host, secretCreatedAt: endpoint.secretCreatedAt.toISOString() };
}

/**
 * `admin.applications.setWebhook` (applications.write, after a step-up): set, change, rotate the
 * secret of, or (url: null) remove the endpoint. The secret comes back only when it was just made
 * (a new endpoint or `rotateSecret`): shown once; `get` never shows it.
 */
export async function setAdminWebhook(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  url: string | null;
  rotateSecret: boolean;
}): Promise<{ secret: string | null; application: AdminApplication }> {
  const { deps } = options;
  // The canary and the system application are never loaded, so never configured (their flags never change).
  const application = await requireApplication(deps, options.applicationId);
  const configured = await configureWebhook({
    deps,
    application: principalOf(application),
    url: options.url,
    rotateSecret: options.rotateSecret,
    alsoInTransaction: async (tx, change) => {
      const isSecretNew = change.after !== null && change.after.secretCreatedAt.getTime() !== change.before?.secretCreatedAt.getTime();
      await writeAdminActionAudit({
        deps,
        db: tx,
        admin: options.admin,
        action: 'applications.write',
        target: `application:${application.id}`,
        applicationId: application.id,
        before: { webhook: endpointForAudit(change.before) },
        after: { webhook: endpointForAudit(change.after), isSecretNew },
      });
    },
  });
  return { secret: configured.secret, application: await requireApplication(deps, application.id) };
}

function deliveryView(entry: Omit<WebhookDeliveryLogEntry, 'event'>): AdminWebhookDelivery {
  return {
    id: entry.id,
    type: entry.type,
    status: entry.status,
    attemptCount: entry.attemptCount,
    createdAt: entry.createdAt.toISOString(),
    nextAttemptAt: entry.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: entry.deliveredAt?.toISOString() ?? null,
    attempts: entry.attempts.map((attempt) => ({ ...attempt, startedAt: attempt.startedAt.toISOString() })),
  };
}

/** `admin.applications.webhookDeliveries` (applications.read): the delivery log, newest first, with every attempt. */
export async function listAdminWebhookDeliveries(options: {
  deps: ServiceDeps;
  applicationId: string;
  limit: number;
  cursor: string | null;
}): Promise<{ deliveries: AdminWebhookDelivery[]; nextCursor: string | null }> {
  const { deps } = options;
  const application = await requireApplication(deps, options.applicationId);
  const page = await listWebhookDeliveries({ deps, application: principalOf(application), limit: options.limit, cursor: options.cursor, status: null });
  return { deliveries: page.deliveries.map(deliveryView), nextCursor: page.nextCursor };
}

/**
 * `admin.applications.redeliverWebhook` (applications.write, after a step-up): queue a delivered or
 * failed event again now (same id, fresh retry budget), audited in the same transaction.
 */
export async function redeliverAdminWebhook(options: {
  deps: ServiceDeps;
  admin: AdminPrincipal;
  applicationId: string;
  deliveryId: string;
}): Promise<{ delivery: AdminWebhookDelivery }> {
  const { deps } = options;
  await withTransaction(deps.db.pool, null, async (sql) => {
    const application = await requireAdminApplication({ deps, sql, applicationId: options.applicationId });
    const before = await sql.query<{ status: string; attempt_count: number }>(
      'SELECT status::text AS status, attempt_count FROM webhook_deliveries WHERE id = $1::uuid AND application_id = $2::uuid',
      [options.deliveryId, application.id],
    );
    await redeliverWebhook({ deps, application: principalOf(application), deliveryId: options.deliveryId, sql });
    await writeAdminActionAudit({
      deps,
      db: sql,
      admin: options.admin,
      action: 'applications.write',
      target: `webhook_delivery:${options.deliveryId}`,
      applicationId: application.id,
      before: { status: before.rows[0]?.status ?? null, attemptCount: before.rows[0]?.attempt_count ?? null },
      after: { status: 'pending', redelivered: true },
    });
  });
  const row = await deps.db.prisma.webhookDelivery.findFirst({
    where: { id: options.deliveryId, applicationId: options.applicationId },
    include: { attempts: { orderBy: { attempt: 'asc' } } },
  });
  if (row === null) throw new HoldfastError('WEBHOOK_DELIVERY_NOT_FOUND', 'no such webhook delivery');
  return {
    delivery: deliveryView({
      id: row.id,
      type: row.eventType,
      status: row.status,
      attemptCount: row.attemptCount,
      nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
      deliveredAt: row.deliveredAt,
      createdAt: row.createdAt,
      attempts: row.attempts.map((attempt) => ({
        attempt: attempt.attempt,
        startedAt: attempt.startedAt,
        durationMs: attempt.durationMs,
        statusCode: attempt.statusCode,
        error: attempt.error,
        gatewayId: attempt.gatewayId,
      })),
    }),
  };
}
