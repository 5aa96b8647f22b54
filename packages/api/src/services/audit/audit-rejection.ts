import type { HoldfastError } from '@holdfast/core';
import { writeAuditEvent } from '@holdfast/db';
import type { ServiceDeps } from '../../deps';

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
  await writeAuditEvent(deps.db.pool, {
    type: 'request.rejected',
    gatewayId: deps.gateway.id,
    region: deps.gateway.region,
    applicationId: options.applicationId,
    userId: options.userId ?? null,
    detail: { procedure: options.path, code: options.error.code },
  }).catch(() => undefined); // an audit write failing must not turn a 4xx into a 500
}
