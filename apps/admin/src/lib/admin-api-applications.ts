// The console side of the Applications procedures (issue 13): `admin.applications.*`. Inputs are
// checked with the validators' schemas before they leave and every answer is parsed with the same
// schemas the gateway's `.output()` uses. New API keys and webhook secrets are in these answers
// exactly once; nothing here logs them.
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
  adminWebhookSetInput,
  adminWebhookSetOutput,
} from '@holdfast/validators';
import { z } from 'zod';
import { adminMutation, adminQuery } from './admin-api';

export type AdminApplicationList = z.output<typeof adminApplicationListOutput>;
export type AdminApplicationGet = z.output<typeof adminApplicationGetOutput>;
export type AdminApplicationCreated = z.output<typeof adminApplicationCreateOutput>;
export type AdminApplicationChanged = z.output<typeof adminApplicationOutput>;
export type AdminApiKeyCreated = z.output<typeof adminApiKeyCreatedOutput>;
export type AdminWebhookSet = z.output<typeof adminWebhookSetOutput>;
export type AdminWebhookDeliveries = z.output<typeof adminWebhookDeliveriesOutput>;
export type AdminWebhookDelivery = AdminWebhookDeliveries['deliveries'][number];

export function listApplications(bearer: string): Promise<AdminApplicationList> {
  return adminQuery('admin.applications.list', { bearer, output: adminApplicationListOutput });
}

export function getApplication(bearer: string, input: z.input<typeof adminApplicationRef>): Promise<AdminApplicationGet> {
  return adminQuery('admin.applications.get', { bearer, input: adminApplicationRef.parse(input), output: adminApplicationGetOutput });
}

/** The first API key comes with the application: shown once. */
export function createApplication(bearer: string, input: z.input<typeof adminApplicationCreateInput>): Promise<AdminApplicationCreated> {
  return adminMutation('admin.applications.create', { bearer, input: adminApplicationCreateInput.parse(input), output: adminApplicationCreateOutput });
}

export function updateApplication(bearer: string, input: z.input<typeof adminApplicationUpdateInput>): Promise<AdminApplicationChanged> {
  return adminMutation('admin.applications.update', { bearer, input: adminApplicationUpdateInput.parse(input), output: adminApplicationOutput });
}

export function createApiKey(bearer: string, input: z.input<typeof adminApplicationRef>): Promise<AdminApiKeyCreated> {
  return adminMutation('admin.applications.createApiKey', { bearer, input: adminApplicationRef.parse(input), output: adminApiKeyCreatedOutput });
}

/** A new key at once; the old one keeps working for `overlapSeconds` (state `expiring`), then is refused. */
export function rotateApiKey(bearer: string, input: z.input<typeof adminApiKeyRotateInput>): Promise<AdminApiKeyCreated> {
  return adminMutation('admin.applications.rotateApiKey', { bearer, input: adminApiKeyRotateInput.parse(input), output: adminApiKeyCreatedOutput });
}

export function revokeApiKey(bearer: string, input: z.input<typeof adminApiKeyRevokeInput>): Promise<AdminApplicationChanged> {
  return adminMutation('admin.applications.revokeApiKey', { bearer, input: adminApiKeyRevokeInput.parse(input), output: adminApplicationOutput });
}

/** Set (or remove, `url: null`) the webhook; `secret` is in the answer only when just created or rotated. */
export function setWebhook(bearer: string, input: z.input<typeof adminWebhookSetInput>): Promise<AdminWebhookSet> {
  return adminMutation('admin.applications.setWebhook', { bearer, input: adminWebhookSetInput.parse(input), output: adminWebhookSetOutput });
}

export function webhookDeliveries(bearer: string, input: z.input<typeof adminWebhookDeliveriesInput>): Promise<AdminWebhookDeliveries> {
  return adminQuery('admin.applications.webhookDeliveries', { bearer, input: adminWebhookDeliveriesInput.parse(input), output: adminWebhookDeliveriesOutput });
}

// The contract names no output for a redelivery; the console re-reads the log afterwards, so any answer will do.
const redelivered = z.unknown();

export async function redeliverWebhook(bearer: string, input: z.input<typeof adminWebhookRedeliverInput>): Promise<void> {
  await adminMutation('admin.applications.redeliverWebhook', { bearer, input: adminWebhookRedeliverInput.parse(input), output: redelivered });
}
