import { adminIssueBypassInput, adminIssueBypassOutput } from '@holdfast/validators';
import { adminProcedure } from '../admin-procedure';
import { issueBypass } from '../services/admin/users/issue-bypass';
import { router } from '../trpc';

/**
 * admin.bypass.* (issue 13): a one-time bypass code for a user who lost their factors. Owner and
 * admin only, after a fresh step-up (core's matrix through adminProcedure: helpdesk and auditor get
 * ADMIN_FORBIDDEN, a stale session ADMIN_STEP_UP_REQUIRED). The code is in this answer and nowhere
 * else; the relying application verifies it with `verify.bypassCode` and hears of it by webhook.
 */
export const adminBypassRouter = router({
  issue: adminProcedure('users.issue_bypass')
    .input(adminIssueBypassInput)
    .output(adminIssueBypassOutput)
    .mutation(({ ctx, input }) =>
      issueBypass({ deps: ctx.deps, admin: ctx.admin, applicationId: input.applicationId, externalUserId: input.userId, ttlMinutes: input.ttlMinutes }),
    ),
});
