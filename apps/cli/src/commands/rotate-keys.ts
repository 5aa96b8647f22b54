// `holdfast rotate-keys` (`npm run rotate-keys`): re-wrap every stored secret under
// HOLDFAST_ACTIVE_KEY_ID. Run it after adding a new key as active (keep the old one listed until
// this finishes). It reads the gateway's configuration (DATABASE_URL, HOLDFAST_ENCRYPTION_KEYS …).
import { parseKeyring } from '@holdfast/core';
import { createDatabase, rotateEncryptionKeys } from '@holdfast/db';
import { readGatewayEnv } from '@holdfast/gateway';
import { randomBytes } from 'node:crypto';

export async function rotateKeys(): Promise<void> {
  const env = readGatewayEnv();
  const db = createDatabase({ url: env.DATABASE_URL, poolMax: 2 });
  try {
    const result = await rotateEncryptionKeys({
      prisma: db.prisma,
      keyring: parseKeyring({ keys: env.HOLDFAST_ENCRYPTION_KEYS, activeKeyId: env.HOLDFAST_ACTIVE_KEY_ID }),
      random: (size) => new Uint8Array(randomBytes(size)),
      actor: { gatewayId: 'rotate-keys', region: env.HOLDFAST_REGION },
    });
    console.log(`re-wrapped ${result.rewrapped} secrets under key "${env.HOLDFAST_ACTIVE_KEY_ID}" (${result.alreadyCurrent} were already under it)`);
  } finally {
    await db.close();
  }
}
