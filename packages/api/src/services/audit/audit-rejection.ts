import type { HoldfastError } from '@holdfast/core';
import type { ServiceDeps } from '../../deps';
import { writeStandaloneAuditEvent } from './write-standalone-audit-event';

/**
 * Records a refused request (unknown user, reused link, …). Written on its own: the refused
 * request's transaction, if any, was rolled back. Only the error code goes in — never the input.
 */
export async function auditRejection(options: {
  deps: ServiceDeps;
  applicationId: string | null;
  userId?: string | null;
  path: string;
  error: HoldfastError;
}): Promise<void> {
  const { deps } = options;
  // Never throws (a 4xx stays a 4xx); spooled when the database cannot take it (issue 12).
  await writeStandaloneAuditEvent({
    deps,
    db: deps.db.pool,
    event: {
      type: 'request.rejected',
      gatewayId: deps.gateway.id,
      region: deps.gateway.region,
      applicationId: options.applicationId,
      userId: options.userId ?? null,
      detail: { procedure: options.path, code: options.error.code },
    },
  });
}
