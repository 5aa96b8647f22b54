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
import { ask } from './admin-api';

export type AdminApplicationList = z.output<typeof adminApplicationListOutput>;
export type AdminApplicationGet = z.output<typeof adminApplicationGetOutput>;
export type AdminApplicationCreated = z.output<typeof adminApplicationCreateOutput>;
export type AdminApplicationChanged = z.output<typeof adminApplicationOutput>;
export type AdminApiKeyCreated = z.output<typeof adminApiKeyCreatedOutput>;
export type AdminWebhookSet = z.output<typeof adminWebhookSetOutput>;
export type AdminWebhookDeliveries = z.output<typeof adminWebhookDeliveriesOutput>;
export type AdminWebhookDelivery = AdminWebhookDeliveries['deliveries'][number];

export function listApplications(bearer: string): Promise<AdminApplicationList> {
  return ask(adminApplicationListOutput, {
    bearer,
    isIdempotent: true,
    call: (client, signal) => client.query('admin.applications.list', undefined, { signal }),
  });
}

export function getApplication(bearer: string, input: z.input<typeof adminApplicationRef>): Promise<AdminApplicationGet> {
  const request = adminApplicationRef.parse(input);
  return ask(adminApplicationGetOutput, { bearer, isIdempotent: true, call: (client, signal) => client.query('admin.applications.get', request, { signal }) });
}

/** The first API key comes with the application: shown once. */
export function createApplication(bearer: string, input: z.input<typeof adminApplicationCreateInput>): Promise<AdminApplicationCreated> {
  const request = adminApplicationCreateInput.parse(input);
  return ask(adminApplicationCreateOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.applications.create', request, { signal }),
  });
}

export function updateApplication(bearer: string, input: z.input<typeof adminApplicationUpdateInput>): Promise<AdminApplicationChanged> {
  const request = adminApplicationUpdateInput.parse(input);
  return ask(adminApplicationOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.applications.update', request, { signal }),
  });
}

export function createApiKey(bearer: string, input: z.input<typeof adminApplicationRef>): Promise<AdminApiKeyCreated> {
  const request = adminApplicationRef.parse(input);
  return ask(adminApiKeyCreatedOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.applications.createApiKey', request, { signal }),
  });
}

/** A new key at once; the old one keeps working for `overlapSeconds` (state `expiring`), then is refused. */
export function rotateApiKey(bearer: string, input: z.input<typeof adminApiKeyRotateInput>): Promise<AdminApiKeyCreated> {
  const request = adminApiKeyRotateInput.parse(input);
  return ask(adminApiKeyCreatedOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.applications.rotateApiKey', request, { signal }),
  });
}

export function revokeApiKey(bearer: string, input: z.input<typeof adminApiKeyRevokeInput>): Promise<AdminApplicationChanged> {
  const request = adminApiKeyRevokeInput.parse(input);
  return ask(adminApplicationOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.applications.revokeApiKey', request, { signal }),
  });
}

/** Set (or remove, `url: null`) the webhook; `secret` is in the answer only when just created or rotated. */
export function setWebhook(bearer: string, input: z.input<typeof adminWebhookSetInput>): Promise<AdminWebhookSet> {
  const request = adminWebhookSetInput.parse(input);
  return ask(adminWebhookSetOutput, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.applications.setWebhook', request, { signal }),
  });
}

export function webhookDeliveries(bearer: string, input: z.input<typeof adminWebhookDeliveriesInput>): Promise<AdminWebhookDeliveries> {
  const request = adminWebhookDeliveriesInput.parse(input);
  return ask(adminWebhookDeliveriesOutput, {
    bearer,
    isIdempotent: true,
    call: (client, signal) => client.query('admin.applications.webhookDeliveries', request, { signal }),
  });
}

// The contract names no output for a redelivery; the console re-reads the log afterwards, so any answer will do.
const redelivered = z.unknown();

export async function redeliverWebhook(bearer: string, input: z.input<typeof adminWebhookRedeliverInput>): Promise<void> {
  const request = adminWebhookRedeliverInput.parse(input);
  await ask(redelivered, {
    bearer,
    isIdempotent: false,
    call: (client, signal) => client.mutation('admin.applications.redeliverWebhook', request, { signal }),
  });
}
