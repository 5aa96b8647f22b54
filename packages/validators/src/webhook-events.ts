import { z } from 'zod';
import { factorKind } from './factor-kinds';

/**
 * What a relying application's webhook endpoint is told. Each is fed from an audit event written
 * in the same transaction as the change (packages/db/src/audit.ts maps the audit types), so the
 * application hears of every change that committed, and of none that did not.
 */
export const webhookEventTypes = [
  'factor.enrolled',
  'factor.removed',
  'recovery_codes.generated',
  'factor.locked',
  'factor.suspended',
  'account.locked',
  /** The user pressed "Report fraud" on a push: push is suspended for them; tell them another way. */
  'push.fraud_reported',
  /** An admin issued the user a one-time bypass code (never in the body): tell the user it happened. */
  'bypass.issued',
] as const;
export const webhookEventType = z.enum(webhookEventTypes);
export type WebhookEventType = z.infer<typeof webhookEventType>;

/**
 * The JSON body of a webhook. `id` is the same on every retry of one event: receivers dedupe by it
 * (delivery is at least once). Never a secret or a code.
 */
export const webhookEvent = z.strictObject({
  id: z.uuid(),
  type: webhookEventType,
  /** ISO 8601, UTC: when the transaction that made the change began. */
  occurredAt: z.string(),
  applicationId: z.uuid(),
  data: z.strictObject({
    /** The application's own user id. */
    userId: z.string().nullable(),
    factorId: z.uuid().nullable(),
    factorKind: factorKind.nullable(),
  }),
});
export type WebhookEvent = z.infer<typeof webhookEvent>;

export const webhookDeliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export const webhookDeliveryStatus = z.enum(webhookDeliveryStatuses);
export type WebhookDeliveryStatus = z.infer<typeof webhookDeliveryStatus>;
