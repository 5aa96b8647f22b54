import { writeAuditEvent, type AuditEventInput, type Prisma } from '@holdfast/db';
import type { AdminAction } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { writeStandaloneAuditEvent } from '../audit/write-standalone-audit-event';
import type { AdminPrincipal } from './admin-principal';

type AuditWriter = Parameters<typeof writeAuditEvent>[0];

/** JSON-safe snapshot for the trail (never pass secrets: the trail is exported and shown). */
export type AuditJson = Prisma.InputJsonValue | null;

/**
 * Every admin action is audited (issue 13): who (adminId, email, role), what (action, target), and
 * the state before and after. Write it with `db` = the transaction that makes the change, so the
 * trail and the change commit together (invariant 7).
 */
export async function writeAdminActionAudit(options: {
  deps: ServiceDeps;
  db: AuditWriter;
  admin: Pick<AdminPrincipal, 'adminId' | 'email' | 'role' | 'sessionId'>;
  action: AdminAction;
  target: string | null;
  before: AuditJson;
  after: AuditJson;
  applicationId?: string | null;
  userId?: string | null;
}): Promise<void> {
  const { deps, admin } = options;
  await writeAuditEvent(options.db, adminActionEvent(deps, options, admin));
}

function adminActionEvent(
  deps: ServiceDeps,
  options: {
    action: AdminAction;
    target: string | null;
    before?: AuditJson;
    after?: AuditJson;
    refused?: string;
    applicationId?: string | null;
    userId?: string | null;
  },
  admin: Pick<AdminPrincipal, 'adminId' | 'email' | 'role' | 'sessionId'>,
): Omit<AuditEventInput, 'eventId' | 'occurredAt'> {
  return {
    type: 'admin.action',
    gatewayId: deps.gateway.id,
    region: deps.gateway.region,
    applicationId: options.applicationId ?? null,
    userId: options.userId ?? null,
    detail: {
      adminId: admin.adminId,
      adminEmail: admin.email,
      adminRole: admin.role,
      sessionId: admin.sessionId,
      action: options.action,
      target: options.target,
      before: options.before ?? null,
      after: options.after ?? null,
      ...(options.refused === undefined ? {} : { refused: options.refused }),
    },
  };
}

/** A refused admin action (no permission, no fresh step-up) leaves a trace too. Never throws. */
export async function auditRefusedAdminAction(options: {
  deps: ServiceDeps;
  admin: Pick<AdminPrincipal, 'adminId' | 'email' | 'role' | 'sessionId'>;
  action: AdminAction;
  target: string;
  code: string;
}): Promise<void> {
  const { deps } = options;
  await writeStandaloneAuditEvent({
    deps,
    db: deps.db.pool,
    event: adminActionEvent(deps, { action: options.action, target: options.target, refused: options.code }, options.admin),
  });
}
