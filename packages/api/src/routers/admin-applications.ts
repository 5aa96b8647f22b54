import {
  adminApiKeyCreatedOutput,
  adminApiKeyRevokeInput,
  adminApiKeyRotateInput,
  adminApplicationCreateInput,
  adminApplicationCreateOutput,
  adminApplicationGetOutput,
  adminApplicationListOutput,
  adminApplicationOutput,
  adminApplicationRef,
  adminApplicationUpdateInput,
  adminWebhookDeliveriesInput,
  adminWebhookDeliveriesOutput,
  adminWebhookRedeliverInput,
  adminWebhookRedeliverOutput,
  adminWebhookSetInput,
  adminWebhookSetOutput,
} from '@holdfast/validators';
import { adminProcedure } from '../admin-procedure';
import {
  createAdminApiKey,
  createAdminApplication,
  getAdminApplication,
  listAdminApplications,
  listAdminWebhookDeliveries,
  redeliverAdminWebhook,
  revokeAdminApiKey,
  rotateAdminApiKey,
  setAdminWebhook,
  updateAdminApplication,
} from '../services/admin/applications';
import { router } from '../trpc';

/**
 * admin.applications (issue 13): the relying applications — settings, API keys (shown once, rotated
 * with overlap, revoked), webhook and its delivery log. Reads: applications.read; changes:
 * applications.write; keys: apikeys.write (both after a step-up, per core's matrix). The canary and
 * the admin console's own application are invisible and unchangeable here.
 */
export const adminApplicationsRouter = router({
  list: adminProcedure('applications.read')
    .output(adminApplicationListOutput)
    .query(({ ctx }) => listAdminApplications({ deps: ctx.deps })),
  get: adminProcedure('applications.read')
    .input(adminApplicationRef)
    .output(adminApplicationGetOutput)
    .query(({ ctx, input }) => getAdminApplication({ deps: ctx.deps, applicationId: input.applicationId })),
  create: adminProcedure('applications.write')
    .input(adminApplicationCreateInput)
    .output(adminApplicationCreateOutput)
    .mutation(({ ctx, input }) => createAdminApplication({ deps: ctx.deps, admin: ctx.admin, name: input.name, failMode: input.failMode })),
  update: adminProcedure('applications.write')
    .input(adminApplicationUpdateInput)
    .output(adminApplicationOutput)
    .mutation(({ ctx, input }) => updateAdminApplication({ deps: ctx.deps, admin: ctx.admin, input })),
  createApiKey: adminProcedure('apikeys.write')
    .input(adminApplicationRef)
    .output(adminApiKeyCreatedOutput)
    .mutation(({ ctx, input }) => createAdminApiKey({ deps: ctx.deps, admin: ctx.admin, applicationId: input.applicationId })),
  rotateApiKey: adminProcedure('apikeys.write')
    .input(adminApiKeyRotateInput)
    .output(adminApiKeyCreatedOutput)
    .mutation(({ ctx, input }) =>
      rotateAdminApiKey({ deps: ctx.deps, admin: ctx.admin, applicationId: input.applicationId, keyId: input.keyId, overlapSeconds: input.overlapSeconds }),
    ),
  revokeApiKey: adminProcedure('apikeys.write')
    .input(adminApiKeyRevokeInput)
    .output(adminApplicationOutput)
    .mutation(({ ctx, input }) => revokeAdminApiKey({ deps: ctx.deps, admin: ctx.admin, applicationId: input.applicationId, keyId: input.keyId })),
  setWebhook: adminProcedure('applications.write')
    .input(adminWebhookSetInput)
    .output(adminWebhookSetOutput)
    .mutation(({ ctx, input }) =>
      setAdminWebhook({ deps: ctx.deps, admin: ctx.admin, applicationId: input.applicationId, url: input.url, rotateSecret: input.rotateSecret }),
    ),
  webhookDeliveries: adminProcedure('applications.read')
    .input(adminWebhookDeliveriesInput)
    .output(adminWebhookDeliveriesOutput)
    .query(({ ctx, input }) => listAdminWebhookDeliveries({ deps: ctx.deps, applicationId: input.applicationId, limit: input.limit, cursor: input.cursor })),
  redeliverWebhook: adminProcedure('applications.write')
    .input(adminWebhookRedeliverInput)
    .output(adminWebhookRedeliverOutput)
    .mutation(({ ctx, input }) =>
      redeliverAdminWebhook({ deps: ctx.deps, admin: ctx.admin, applicationId: input.applicationId, deliveryId: input.deliveryId }),
    ),
});
