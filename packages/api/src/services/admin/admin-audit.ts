import { writeAuditEvent, type AuditEventInput, type Prisma } from '@holdfast/db';
import type { AdminAction } from '@holdfast/validators';
import type { ServiceDeps } from '../../deps';
import { writeStandaloneAuditEvent } from '../audit/write-standalone-audit-event';
import type { AdminPrincipal } from './admin-principal';

type AuditWriter = Parameters<typeof writeAuditEvent>[0];

/** JSON-safe snapshot for the trail (never pass secrets: the trail is exported and shown). */
export type AuditJson = Prisma.InputJsonValue | null;

/**
 * Every admin action is audited (issue 13): who (adminIdentity), what (action, target), and
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

/**
 * Who acted. A row scoped to an application reaches that application (its /v1/audit/stream, its
 * export, the webhooks fed from the trail): it names the admin by id only — operators resolve the
 * id in admin_accounts; a relying application learns no operator's email, role or session. Rows
 * with no application stay with the operators and carry the email, role and session id.
 */
export function adminIdentity(
  admin: Pick<AdminPrincipal, 'adminId' | 'email' | 'role' | 'sessionId'>,
  applicationId: string | null,
): Record<string, string | null> {
  if (applicationId !== null) return { adminId: admin.adminId };
  return { adminId: admin.adminId, adminEmail: admin.email, adminRole: admin.role, sessionId: admin.sessionId };
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
      ...adminIdentity(admin, options.applicationId ?? null),
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

/**
 * An admin action with nothing to commit alongside (an audit export started, an admin audit stream
 * opened): written on its own, retried inside the request's deadline and spooled during an outage
 * (writeStandaloneAuditEvent). Never throws. No application: the row stays with the operators.
 */
export async function writeStandaloneAdminAction(options: {
  deps: ServiceDeps;
  admin: Pick<AdminPrincipal, 'adminId' | 'email' | 'role' | 'sessionId'>;
  action: AdminAction;
  target: string;
  after: AuditJson;
}): Promise<void> {
  const { deps } = options;
  await writeStandaloneAuditEvent({
    deps,
    db: deps.db.pool,
    event: adminActionEvent(deps, { action: options.action, target: options.target, after: options.after }, options.admin),
    isRetried: true,
  });
}
