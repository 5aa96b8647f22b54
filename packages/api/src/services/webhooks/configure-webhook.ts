import { writeAuditEvent, type PrismaTx } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';
import { parseWebhookUrl } from './webhook-url';
import { encryptWebhookSecret, generateWebhookSecret } from './webhook-secret';

/** The endpoint as stored, without its secret. */
export interface WebhookEndpoint {
  url: string;
  secretCreatedAt: Date;
}

export interface WebhookConfiguration {
  url: string | null;
  /** The signing secret, returned only when it was just created or rotated: shown once, stored encrypted. */
  secret: string | null;
  secretCreatedAt: Date | null;
}

/**
 * The relying application sets, changes, rotates or clears its webhook endpoint. A new endpoint
 * gets a new secret; changing the URL keeps the secret unless `rotateSecret` asks for a new one
 * (the old one stops signing at once). `url: null` removes the endpoint: nothing more is queued,
 * and what was still queued is marked failed by the workers.
 */
export async function configureWebhook(options: {
  deps: ServiceDeps;
  application: ApplicationPrincipal;
  url: string | null;
  rotateSecret: boolean;
  /**
   * Runs in the change's transaction with the endpoint before and after (the admin console audits
   * its change there: invariant 7). Never hand it the secret to store.
   */
  alsoInTransaction?: (tx: PrismaTx, change: { before: WebhookEndpoint | null; after: WebhookEndpoint | null }) => Promise<void>;
}): Promise<WebhookConfiguration> {
  const { deps, application } = options;
  const url = options.url === null ? null : parseWebhookUrl(options.url);
  return deps.db.prisma.$transaction(async (tx) => {
    const audit = { gatewayId: deps.gateway.id, region: deps.gateway.region, applicationId: application.id };
    const existing = await tx.applicationWebhook.findUnique({ where: { applicationId: application.id }, select: { url: true, secretCreatedAt: true } });
    const done = async (result: WebhookConfiguration): Promise<WebhookConfiguration> => {
      const after = result.url === null || result.secretCreatedAt === null ? null : { url: result.url, secretCreatedAt: result.secretCreatedAt };
      await options.alsoInTransaction?.(tx, { before: existing, after });
      return result;
    };
    if (url === null) {
      const { count } = await tx.applicationWebhook.deleteMany({ where: { applicationId: application.id } });
      if (count > 0) await writeAuditEvent(tx, { ...audit, type: 'webhook.removed' });
      return done({ url: null, secret: null, secretCreatedAt: null });
    }
    const now = deps.clock();
    // Only the host goes into the trail: a path may carry the receiver's own token.
    const detail = { host: new URL(url).host };
    if (existing !== null && !options.rotateSecret) {
      await tx.applicationWebhook.update({ where: { applicationId: application.id }, data: { url, updatedAt: now } });
      await writeAuditEvent(tx, { ...audit, type: 'webhook.configured', detail: { ...detail, isSecretRotated: false } });
      return done({ url, secret: null, secretCreatedAt: existing.secretCreatedAt });
    }
    const secret = generateWebhookSecret(deps.random);
    const secretEnc = encryptWebhookSecret({ keyring: deps.keyring, random: deps.random, applicationId: application.id, secret });
    await tx.applicationWebhook.upsert({
      where: { applicationId: application.id },
      create: { applicationId: application.id, url, secretEnc, secretCreatedAt: now, createdAt: now, updatedAt: now },
      update: { url, secretEnc, secretCreatedAt: now, updatedAt: now },
    });
    await writeAuditEvent(tx, { ...audit, type: 'webhook.configured', detail: { ...detail, isSecretRotated: existing !== null } });
    return done({ url, secret, secretCreatedAt: now });
  });
}
