import {
  adminAuditGetInput,
  adminAuditGetOutput,
  adminAuditSearchInput,
  adminAuditSearchOutput,
  adminAuditStatusOutput,
  adminAuditVerifyOutput,
  adminRole,
} from '@holdfast/validators';
import { z } from 'zod';
import { adminProcedure } from '../admin-procedure';
import { getAuditEvent, readAuditStatus, runAuditVerification, searchAuditEvents } from '../services/admin/audit';
import { createCallerFactory, router } from '../trpc';

/**
 * admin.audit (issue 13, action audit.read — owners, admins and auditors): search the audit trail,
 * one event with its inclusion proof, the sealed log's status, and the full verification
 * `holdfast audit verify` runs. The live stream and the export are HTTP routes of the gateway
 * (GET /v1/admin/audit/stream, /v1/admin/audit/export), authorised by `createAdminAuditAccessCaller`.
 */
export const adminAuditRouter = router({
  search: adminProcedure('audit.read')
    .input(adminAuditSearchInput)
    .output(adminAuditSearchOutput)
    .query(({ ctx, input, signal }) => {
      const { limit, cursor, ...filters } = input;
      return searchAuditEvents({ deps: ctx.deps, filters, limit, cursor, ...(signal === undefined ? {} : { signal }) });
    }),
  get: adminProcedure('audit.read')
    .input(adminAuditGetInput)
    .output(adminAuditGetOutput)
    .query(({ ctx, input, signal }) => getAuditEvent({ deps: ctx.deps, eventId: input.eventId, ...(signal === undefined ? {} : { signal }) })),
  status: adminProcedure('audit.read')
    .output(adminAuditStatusOutput)
    .query(({ ctx, signal }) => readAuditStatus({ deps: ctx.deps, ...(signal === undefined ? {} : { signal }) })),
  // A mutation (it is work, not a read to cache or prefetch); one per deployment at a time (advisory lock),
  // and per process at most every max(60 s, 10 × the last run's duration).
  verify: adminProcedure('audit.read')
    .output(adminAuditVerifyOutput)
    .mutation(({ ctx }) => runAuditVerification(ctx.deps)),
});

// Who the route was authorised for: its bulk reads are audited under that admin (auditAdminAuditRead).
const adminAccessOutput = z.strictObject({ adminId: z.string(), email: z.string(), role: adminRole, sessionId: z.string() });
const accessOf = (admin: { adminId: string; email: string; role: z.infer<typeof adminRole>; sessionId: string }): z.infer<typeof adminAccessOutput> => ({
  adminId: admin.adminId,
  email: admin.email,
  role: admin.role,
  sessionId: admin.sessionId,
});

/**
 * The gateway's audit HTTP routes are authorised by a caller of these procedures: the same
 * middleware as every admin.audit procedure (session active, canAdmin audit.read — a helpdesk
 * admin is ADMIN_FORBIDDEN, an API key ADMIN_SESSION_INVALID — refusals audited with the route's
 * path), so the routes and the procedures can never disagree on who may read the trail. Not
 * mounted in the app router: there is nothing to call over tRPC.
 */
const adminAuditRoutesRouter = router({
  audit: router({
    stream: adminProcedure('audit.read')
      .output(adminAccessOutput)
      .query(({ ctx }) => accessOf(ctx.admin)),
    export: adminProcedure('audit.read')
      .output(adminAccessOutput)
      .query(({ ctx }) => accessOf(ctx.admin)),
  }),
});

export const createAdminAuditAccessCaller = createCallerFactory(adminAuditRoutesRouter);
