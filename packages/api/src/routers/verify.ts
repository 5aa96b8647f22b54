import { statusInput, verificationOutput, verifyRecoveryCodeInput, verifyTotpInput } from '../schemas';
import { getAttemptStatus } from '../services/verify/get-attempt-status';
import { verifyRecoveryCode } from '../services/verify/verify-recovery-code';
import { verifyTotp } from '../services/verify/verify-totp';
import { applicationProcedure, router } from '../trpc';

export const verifyRouter = router({
  totp: applicationProcedure
    .input(verifyTotpInput)
    .output(verificationOutput)
    .mutation(({ ctx, input, signal }) =>
      verifyTotp({
        deps: ctx.deps,
        application: ctx.application,
        attemptId: input.attemptId,
        externalUserId: input.userId,
        factorId: input.factorId ?? null,
        code: input.code,
        signal,
      }),
    ),
  recoveryCode: applicationProcedure
    .input(verifyRecoveryCodeInput)
    .output(verificationOutput)
    .mutation(({ ctx, input, signal }) =>
      verifyRecoveryCode({ deps: ctx.deps, application: ctx.application, attemptId: input.attemptId, externalUserId: input.userId, code: input.code, signal }),
    ),
  /** The recorded outcome of an attempt id. */
  status: applicationProcedure
    .input(statusInput)
    .output(verificationOutput)
    .query(({ ctx, input, signal }) => getAttemptStatus({ deps: ctx.deps, application: ctx.application, attemptId: input.attemptId, signal })),
});
