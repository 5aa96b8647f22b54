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
  let rewrapped = 0;
  let alreadyCurrent = 0;
  let cursor: string | undefined;
  for (;;) {
    const rows = await prisma.totpFactor.findMany({
      take: options.batchSize ?? 500,
      ...(cursor === undefined ? {} : { cursor: { factorId: cursor }, skip: 1 }),
      orderBy: { factorId: 'asc' },
      select: { factorId: true, secretEnc: true },
    });
    if (rows.length === 0) break;
    for (const row of rows) {
      if (envelopeKeyId(row.secretEnc) === keyring.activeKeyId) {
        alreadyCurrent += 1;
        continue;
      }
      const next = rewrapSecret({ keyring, envelope: row.secretEnc, random: options.random });
      const { count } = await prisma.totpFactor.updateMany({ where: { factorId: row.factorId, secretEnc: row.secretEnc }, data: { secretEnc: next } });
      rewrapped += count;
    }
    cursor = rows.at(-1)?.factorId;
  }
  // The hosted-verification signing keys' private halves (a handful of rows).
  for (const key of await prisma.signingKey.findMany({ select: { kid: true, privateJwkEnc: true } })) {
    if (envelopeKeyId(key.privateJwkEnc) === keyring.activeKeyId) {
      alreadyCurrent += 1;
      continue;
    }
    const next = rewrapSecret({ keyring, envelope: key.privateJwkEnc, random: options.random });
    const { count } = await prisma.signingKey.updateMany({ where: { kid: key.kid, privateJwkEnc: key.privateJwkEnc }, data: { privateJwkEnc: next } });
    rewrapped += count;
  }
  // Webhook signing secrets, one per application with an endpoint (AAD = `webhook:<application id>`, unchanged by a rewrap).
  for (const hook of await prisma.applicationWebhook.findMany({ select: { applicationId: true, secretEnc: true } })) {
    if (envelopeKeyId(hook.secretEnc) === keyring.activeKeyId) {
      alreadyCurrent += 1;
      continue;
    }
    const next = rewrapSecret({ keyring, envelope: hook.secretEnc, random: options.random });
    const { count } = await prisma.applicationWebhook.updateMany({
      where: { applicationId: hook.applicationId, secretEnc: hook.secretEnc },
      data: { secretEnc: next },
    });
    rewrapped += count;
  }
  await writeAuditEvent(prisma, {
    type: 'keys.rotated',
    gatewayId: options.actor.gatewayId,
    region: options.actor.region,
    detail: { activeKeyId: keyring.activeKeyId, rewrapped, alreadyCurrent },
  });
  return { rewrapped, alreadyCurrent };
}
