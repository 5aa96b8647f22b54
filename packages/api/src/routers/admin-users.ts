import {
  adminEnrollmentLinkInput,
  adminEnrollmentLinkOutput,
  adminRevokeFactorInput,
  adminRevokeFactorOutput,
  adminUnlockInput,
  adminUnlockOutput,
  adminUserGetOutput,
  adminUserListInput,
  adminUserListOutput,
  adminUserRef,
} from '@holdfast/validators';
import { adminProcedure } from '../admin-procedure';
import { adminRevokeFactor, adminSendEnrollmentLink, adminUnlockUser, getAdminUser, listAdminUsers } from '../services/admin/users';
import { router } from '../trpc';

/**
 * admin.users.* (issue 13): find a relying application's user, see their factors, locks and last
 * verifications, and get them back in. Roles and step-up come from core's matrix through
 * adminProcedure: helpdesk may read, unlock (after a step-up) and send an enrollment link; revoking
 * a factor is admin/owner only; auditors have none of these. Canary and system applications' users
 * do not exist here.
 */
export const adminUsersRouter = router({
  list: adminProcedure('users.read')
    .input(adminUserListInput)
    .output(adminUserListOutput)
    .query(({ ctx, input }) =>
      listAdminUsers({ deps: ctx.deps, applicationId: input.applicationId, query: input.query, limit: input.limit, cursor: input.cursor }),
    ),
  get: adminProcedure('users.read')
    .input(adminUserRef)
    .output(adminUserGetOutput)
    .query(({ ctx, input }) => getAdminUser({ deps: ctx.deps, applicationId: input.applicationId, externalUserId: input.userId })),
  unlock: adminProcedure('users.unlock')
    .input(adminUnlockInput)
    .output(adminUnlockOutput)
    .mutation(({ ctx, input, signal }) =>
      adminUnlockUser({
        deps: ctx.deps,
        admin: ctx.admin,
        applicationId: input.applicationId,
        externalUserId: input.userId,
        factorId: input.factorId,
        ...(signal === undefined ? {} : { signal }),
      }),
    ),
  revokeFactor: adminProcedure('users.revoke_factor')
    .input(adminRevokeFactorInput)
    .output(adminRevokeFactorOutput)
    .mutation(({ ctx, input }) =>
      adminRevokeFactor({ deps: ctx.deps, admin: ctx.admin, applicationId: input.applicationId, externalUserId: input.userId, factorId: input.factorId }),
    ),
  sendEnrollmentLink: adminProcedure('users.send_enrollment_link')
    .input(adminEnrollmentLinkInput)
    .output(adminEnrollmentLinkOutput)
    .mutation(({ ctx, input }) =>
      adminSendEnrollmentLink({
        deps: ctx.deps,
        admin: ctx.admin,
        applicationId: input.applicationId,
        externalUserId: input.userId,
        ttlSeconds: input.ttlSeconds,
      }),
    ),
});
