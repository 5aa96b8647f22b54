'use server';
// The Applications page's changes, each a server action: the admin token stays in the sealed
// cookie, inputs are checked against the validators' schemas, and the gateway decides role and
// step-up (adminProcedure). New keys and webhook secrets pass through here to the page once; they
// are never logged (runConsoleAction logs an error's name only).
import type { z } from 'zod';
import type {
  adminApiKeyRevokeInput,
  adminApiKeyRotateInput,
  adminApplicationCreateInput,
  adminApplicationRef,
  adminApplicationUpdateInput,
  adminWebhookDeliveriesInput,
  adminWebhookRedeliverInput,
  adminWebhookSetInput,
} from '@holdfast/validators';
import * as appsApi from '../../../lib/admin-api-applications';
import { runConsoleAction } from '../../../lib/console-action';
import type { ActionResult } from '../../sign-in/types';

export async function createApplication(input: z.input<typeof adminApplicationCreateInput>): Promise<ActionResult<appsApi.AdminApplicationCreated>> {
  return runConsoleAction('applications', (bearer) => appsApi.createApplication(bearer, input));
}

export async function updateApplication(input: z.input<typeof adminApplicationUpdateInput>): Promise<ActionResult<appsApi.AdminApplicationChanged>> {
  return runConsoleAction('applications', (bearer) => appsApi.updateApplication(bearer, input));
}

export async function createApiKey(input: z.input<typeof adminApplicationRef>): Promise<ActionResult<appsApi.AdminApiKeyCreated>> {
  return runConsoleAction('applications', (bearer) => appsApi.createApiKey(bearer, input));
}

export async function rotateApiKey(input: z.input<typeof adminApiKeyRotateInput>): Promise<ActionResult<appsApi.AdminApiKeyCreated>> {
  return runConsoleAction('applications', (bearer) => appsApi.rotateApiKey(bearer, input));
}

export async function revokeApiKey(input: z.input<typeof adminApiKeyRevokeInput>): Promise<ActionResult<appsApi.AdminApplicationChanged>> {
  return runConsoleAction('applications', (bearer) => appsApi.revokeApiKey(bearer, input));
}

export async function setWebhook(input: z.input<typeof adminWebhookSetInput>): Promise<ActionResult<appsApi.AdminWebhookSet>> {
  return runConsoleAction('applications', (bearer) => appsApi.setWebhook(bearer, input));
}

export async function loadWebhookDeliveries(input: z.input<typeof adminWebhookDeliveriesInput>): Promise<ActionResult<appsApi.AdminWebhookDeliveries>> {
  return runConsoleAction('applications', (bearer) => appsApi.webhookDeliveries(bearer, input));
}

/** Queues the delivery again, then answers the log's first page as it is now. */
export async function redeliverWebhook(input: z.input<typeof adminWebhookRedeliverInput>): Promise<ActionResult<appsApi.AdminWebhookDeliveries>> {
  return runConsoleAction('applications', async (bearer) => {
    await appsApi.redeliverWebhook(bearer, input);
    return appsApi.webhookDeliveries(bearer, { applicationId: input.applicationId });
  });
}
