import type { FailMode } from './generated/prisma/enums';
import type { PrismaDb } from './client';
import { generateApiKey } from './tokens';

/** Creates a relying application and its first API key; the key is returned once and stored hashed. */
export async function createApplication(options: {
  prisma: PrismaDb;
  name: string;
  failMode?: FailMode;
  isCanary?: boolean;
}): Promise<{ applicationId: string; apiKey: string }> {
  const key = generateApiKey();
  const application = await options.prisma.application.create({
    data: {
      name: options.name,
      failMode: options.failMode ?? 'secure',
      isCanary: options.isCanary ?? false,
      apiKeys: { create: { id: key.keyId, secretHash: key.secretHash } },
    },
  });
  return { applicationId: application.id, apiKey: key.apiKey };
}
