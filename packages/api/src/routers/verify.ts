import { statusInput, verificationOutput, verifyRecoveryCodeInput, verifyTotpInput } from '../schemas';
import { getAttemptStatus } from '../services/verify/get-attempt-status';
import { verifyRecoveryCode } from '../services/verify/verify-recovery-code';
import { verifyTotp } from '../services/verify/verify-totp';
import { applicationProcedure, router } from '../trpc';

export const verifyRouter = router({
  totp: applicationProcedure
    .input(verifyTotpInput)
    .output(verificationOutput)
    .mutation(({ ctx, input }) =>
      verifyTotp({
        deps: ctx.deps,
        application: ctx.application,
        attemptId: input.attemptId,
        externalUserId: input.userId,
        factorId: input.factorId ?? null,
        code: input.code,
      }),
    ),
  recoveryCode: applicationProcedure
    .input(verifyRecoveryCodeInput)
    .output(verificationOutput)
    .mutation(({ ctx, input }) =>
      verifyRecoveryCode({ deps: ctx.deps, application: ctx.application, attemptId: input.attemptId, externalUserId: input.userId, code: input.code }),
    ),
  /** The recorded outcome of an attempt id. */
  status: applicationProcedure
    .input(statusInput)
    .output(verificationOutput)
    .query(({ ctx, input }) => getAttemptStatus({ deps: ctx.deps, application: ctx.application, attemptId: input.attemptId })),
});
