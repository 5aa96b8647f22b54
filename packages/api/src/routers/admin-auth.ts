import { HoldfastError } from '@holdfast/core';
import {
  beginAdminEnrollTotp,
  beginAdminEnrollWebauthn,
  beginAdminSignInWebauthn,
  confirmAdminEnrollTotp,
  finishAdminEnrollWebauthn,
  finishAdminSignInWebauthn,
  verifyAdminSignInTotp,
} from '../services/admin/second-factor-sign-in';
import { signInAdmin } from '../services/admin/sign-in-admin';
import { publicProcedure, router } from '../trpc';
import {
  adminCreationOptionsOutput,
  adminEnrollTotpOutput,
  adminPendingInput,
  adminPendingTotpInput,
  adminPendingWebauthnEnrollFinishInput,
  adminPendingWebauthnFinishInput,
  adminRequestOptionsOutput,
  adminSignedInOutput,
  adminSignInInput,
  adminSignInOutput,
} from './admin-schemas';

/**
 * Admin sign-in (issue 13): password → pending sign-in (`hfp_`) → a second factor verified through
 * the one write path (or, the first time, enrolled) → a session (`hfa_`). No bearer: the pending
 * token travels in the input, and only these procedures accept it.
 */
export const adminAuthRouter = router({
  signIn: publicProcedure
    .input(adminSignInInput)
    .output(adminSignInOutput)
    .mutation(async ({ ctx, input, signal }) => {
      try {
        return await signInAdmin({ deps: ctx.deps, email: input.email, password: input.password, ...(signal === undefined ? {} : { signal }) });
      } catch (error) {
        // A refused password is a failed authentication for the gateway's flood shield (per-address
        // failure bucket, as a bad API key is): password guessing cannot also keep every worker's
        // scrypt gate full and lock real admins out with 503s.
        if (error instanceof HoldfastError && error.code === 'ADMIN_SIGN_IN_FAILED') ctx.client?.onApiKeyResult?.(false);
        throw error;
      }
    }),
  verifyTotp: publicProcedure
    .input(adminPendingTotpInput)
    .output(adminSignedInOutput)
    .mutation(({ ctx, input }) => verifyAdminSignInTotp({ deps: ctx.deps, pendingToken: input.pendingToken, code: input.code })),
  webauthnBegin: publicProcedure
    .input(adminPendingInput)
    .output(adminRequestOptionsOutput)
    .mutation(({ ctx, input }) => beginAdminSignInWebauthn({ deps: ctx.deps, pendingToken: input.pendingToken })),
  webauthnFinish: publicProcedure
    .input(adminPendingWebauthnFinishInput)
    .output(adminSignedInOutput)
    .mutation(({ ctx, input }) => finishAdminSignInWebauthn({ deps: ctx.deps, pendingToken: input.pendingToken, response: input.response })),
  enrollTotpBegin: publicProcedure
    .input(adminPendingInput)
    .output(adminEnrollTotpOutput)
    .mutation(({ ctx, input }) => beginAdminEnrollTotp({ deps: ctx.deps, pendingToken: input.pendingToken })),
  enrollTotpConfirm: publicProcedure
    .input(adminPendingTotpInput)
    .output(adminSignedInOutput)
    .mutation(({ ctx, input }) => confirmAdminEnrollTotp({ deps: ctx.deps, pendingToken: input.pendingToken, code: input.code })),
  enrollWebauthnBegin: publicProcedure
    .input(adminPendingInput)
    .output(adminCreationOptionsOutput)
    .mutation(({ ctx, input }) => beginAdminEnrollWebauthn({ deps: ctx.deps, pendingToken: input.pendingToken })),
  enrollWebauthnFinish: publicProcedure
    .input(adminPendingWebauthnEnrollFinishInput)
    .output(adminSignedInOutput)
    .mutation(({ ctx, input }) => finishAdminEnrollWebauthn({ deps: ctx.deps, pendingToken: input.pendingToken, response: input.response })),
});
