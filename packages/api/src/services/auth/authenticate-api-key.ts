import { HoldfastError } from '@holdfast/core';
import { isSecretHashMatch, parseApiKey, writeAuditEvent } from '@holdfast/db';
import type { ApplicationPrincipal, ServiceDeps } from '../../deps';

/** Resolves `Bearer hf_<keyId>_<secret>` to its application, or throws UNAUTHENTICATED (audited). */
export async function authenticateApiKey(options: {
  deps: ServiceDeps;
  bearer: string | null;
}): Promise<ApplicationPrincipal> {
  const { deps } = options;
  const parsed = options.bearer === null ? null : parseApiKey(options.bearer);
  const key =
    parsed === null
      ? null
      : await deps.db.prisma.apiKey.findUnique({
          where: { id: parsed.keyId },
          select: { secretHash: true, revokedAt: true, application: { select: { id: true, name: true, failMode: true } } },
        });
  const isValid = parsed !== null && key !== null && key.revokedAt === null && isSecretHashMatch(parsed.secret, key.secretHash);
  if (!isValid) {
    await writeAuditEvent(deps.db.prisma, {
      type: 'apikey.rejected',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: key?.application.id ?? null,
      // The key id is public (like a username); the secret part is never recorded.
      detail: { reason: options.bearer === null ? 'missing' : parsed === null ? 'malformed' : key === null ? 'unknown_key' : key.revokedAt !== null ? 'revoked' : 'wrong_secret', keyId: parsed?.keyId ?? null },
    }).catch(() => undefined);
    throw new HoldfastError('UNAUTHENTICATED', 'a valid API key is required (Authorization: Bearer hf_…)');
  }
  return key.application;
}
