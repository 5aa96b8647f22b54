import {
  configureWebhookInput,
  configureWebhookOutput,
  redeliverWebhookInput,
  redeliverWebhookOutput,
  webhookDeliveriesInput,
  webhookDeliveriesOutput,
} from '../schemas';
import { configureWebhook } from '../services/webhooks/configure-webhook';
import { listWebhookDeliveries } from '../services/webhooks/list-webhook-deliveries';
import { redeliverWebhook } from '../services/webhooks/redeliver-webhook';
import { applicationProcedure, router } from '../trpc';

export const webhooksRouter = router({
  /** Set, change, rotate the secret of, or (url: null) remove the application's webhook endpoint. */
  configure: applicationProcedure
    .input(configureWebhookInput)
    .output(configureWebhookOutput)
    .mutation(({ ctx, input }) => configureWebhook({ deps: ctx.deps, application: ctx.application, url: input.url, rotateSecret: input.rotateSecret })),
  /** The delivery log, newest first, with every attempt. */
  deliveries: applicationProcedure
    .input(webhookDeliveriesInput)
    .output(webhookDeliveriesOutput)
    .query(({ ctx, input }) =>
      listWebhookDeliveries({ deps: ctx.deps, application: ctx.application, limit: input.limit, cursor: input.cursor, status: input.status }),
    ),
  /** Queue a delivered or failed event again (same id), with a fresh retry budget. */
  redeliver: applicationProcedure
    .input(redeliverWebhookInput)
    .output(redeliverWebhookOutput)
    .mutation(({ ctx, input }) => redeliverWebhook({ deps: ctx.deps, application: ctx.application, deliveryId: input.deliveryId })),
});
