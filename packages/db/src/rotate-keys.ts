import { envelopeKeyId, rewrapSecret, type Keyring, type RandomSource } from '@holdfast/core';
import type { PrismaDb } from './client';
import { writeAuditEvent } from './audit';

/**
 * Re-wraps every stored secret's data key under the keyring's active key (envelope encryption:
 * the secret itself is not re-encrypted, only its 32-byte data key). Each row is updated with a
 * compare-and-set on its old envelope, so a concurrent change is never overwritten. Afterwards the
 * old key can be removed from the configuration.
 */
export async function rotateEncryptionKeys(options: {
  prisma: PrismaDb;
  keyring: Keyring;
  random: RandomSource;
  actor: { gatewayId: string; region: string };
  batchSize?: number;
}): Promise<{ rewrapped: number; alreadyCurrent: number }> {
  const { prisma, keyring } = options;
  const batchSize = options.batchSize ?? 500;
  const counts = { rewrapped: 0, alreadyCurrent: 0 };
  /** Rewraps one row's envelope unless it is current; the save is a compare-and-set on the old envelope. */
  const rewrap = async (envelope: string | null, save: (next: string) => Promise<{ count: number }>): Promise<void> => {
    if (envelope === null) return;
    if (envelopeKeyId(envelope) === keyring.activeKeyId) {
      counts.alreadyCurrent += 1;
      return;
    }
    counts.rewrapped += (await save(rewrapSecret({ keyring, envelope, random: options.random }))).count;
  };

  // TOTP secrets and push subscriptions (one per device) can be many: in batches, by factor id.
  for (let cursor: string | undefined; ;) {
    const rows = await prisma.totpFactor.findMany({
      take: batchSize,
      ...(cursor === undefined ? {} : { cursor: { factorId: cursor }, skip: 1 }),
      orderBy: { factorId: 'asc' },
      select: { factorId: true, secretEnc: true },
    });
    for (const row of rows) {
      await rewrap(row.secretEnc, (next) =>
        prisma.totpFactor.updateMany({ where: { factorId: row.factorId, secretEnc: row.secretEnc }, data: { secretEnc: next } }),
      );
    }
    cursor = rows.at(-1)?.factorId;
    if (cursor === undefined) break;
  }
  for (let cursor: string | undefined; ;) {
    const rows = await prisma.pushDevice.findMany({
      take: batchSize,
      where: { subscriptionEnc: { not: null } },
      ...(cursor === undefined ? {} : { cursor: { factorId: cursor }, skip: 1 }),
      orderBy: { factorId: 'asc' },
      select: { factorId: true, subscriptionEnc: true },
    });
    for (const row of rows) {
      // AAD = `push-subscription:<factor id>`, unchanged by a rewrap.
      await rewrap(row.subscriptionEnc, (next) =>
        prisma.pushDevice.updateMany({ where: { factorId: row.factorId, subscriptionEnc: row.subscriptionEnc }, data: { subscriptionEnc: next } }),
      );
    }
    cursor = rows.at(-1)?.factorId;
    if (cursor === undefined) break;
  }
  // A handful of rows each: the hosted-verification signing keys' private halves, webhook signing
  // secrets (AAD = `webhook:<application id>`), the deployment's VAPID private key (AAD `vapid:<id>`).
  for (const key of await prisma.signingKey.findMany({ select: { kid: true, privateJwkEnc: true } })) {
    await rewrap(key.privateJwkEnc, (next) =>
      prisma.signingKey.updateMany({ where: { kid: key.kid, privateJwkEnc: key.privateJwkEnc }, data: { privateJwkEnc: next } }),
    );
  }
  for (const hook of await prisma.applicationWebhook.findMany({ select: { applicationId: true, secretEnc: true } })) {
    await rewrap(hook.secretEnc, (next) =>
      prisma.applicationWebhook.updateMany({ where: { applicationId: hook.applicationId, secretEnc: hook.secretEnc }, data: { secretEnc: next } }),
    );
  }
  for (const vapid of await prisma.vapidKey.findMany({ select: { id: true, privateKeyEnc: true } })) {
    await rewrap(vapid.privateKeyEnc, (next) =>
      prisma.vapidKey.updateMany({ where: { id: vapid.id, privateKeyEnc: vapid.privateKeyEnc }, data: { privateKeyEnc: next } }),
    );
  }
  // The audit log's checkpoint-signing key (AAD `audit-key:<id>`): only its envelope column is
  // writable by the gateway role (roles.ts).
  for (const auditKey of await prisma.auditSigningKey.findMany({ select: { id: true, privateKeyEnc: true } })) {
    await rewrap(auditKey.privateKeyEnc, (next) =>
      prisma.auditSigningKey.updateMany({ where: { id: auditKey.id, privateKeyEnc: auditKey.privateKeyEnc }, data: { privateKeyEnc: next } }),
    );
  }
  const { rewrapped, alreadyCurrent } = counts;
  await writeAuditEvent(prisma, {
    type: 'keys.rotated',
    gatewayId: options.actor.gatewayId,
    region: options.actor.region,
    detail: { activeKeyId: keyring.activeKeyId, rewrapped, alreadyCurrent },
  });
  return { rewrapped, alreadyCurrent };
}
