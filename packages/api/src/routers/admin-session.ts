import { adminSessionProcedure } from '../admin-procedure';
import {
  beginStepUpAdminWebauthn,
  describeAdminSession,
  finishStepUpAdminWebauthn,
  signOutAdmin,
  stepUpAdminTotp,
} from '../services/admin/admin-session-actions';
import { router } from '../trpc';
import {
  adminMeOutput,
  adminOkOutput,
  adminRequestOptionsOutput,
  adminStepUpOutput,
  adminStepUpTotpInput,
  adminStepUpWebauthnFinishInput,
} from './admin-schemas';

/** The signed-in admin's own session (any role): who am I, sign out, step up (a fresh factor for 5 minutes). */
export const adminSessionRouter = router({
  me: adminSessionProcedure.output(adminMeOutput).query(({ ctx }) => describeAdminSession({ deps: ctx.deps, admin: ctx.admin })),
  signOut: adminSessionProcedure.output(adminOkOutput).mutation(({ ctx }) => signOutAdmin({ deps: ctx.deps, admin: ctx.admin, bearer: ctx.bearer })),
  stepUpTotp: adminSessionProcedure
    .input(adminStepUpTotpInput)
    .output(adminStepUpOutput)
    .mutation(({ ctx, input }) => stepUpAdminTotp({ deps: ctx.deps, admin: ctx.admin, code: input.code })),
  stepUpWebauthnBegin: adminSessionProcedure
    .output(adminRequestOptionsOutput)
    .mutation(({ ctx }) => beginStepUpAdminWebauthn({ deps: ctx.deps, admin: ctx.admin })),
  stepUpWebauthnFinish: adminSessionProcedure
    .input(adminStepUpWebauthnFinishInput)
    .output(adminStepUpOutput)
    .mutation(({ ctx, input }) => finishStepUpAdminWebauthn({ deps: ctx.deps, admin: ctx.admin, response: input.response })),
});
