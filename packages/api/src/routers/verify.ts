import {
  statusInput,
  verificationOutput,
  verifyRecoveryCodeInput,
  verifyTotpInput,
  webauthnBeginInput,
  webauthnBeginOutput,
  webauthnFinishInput,
} from '../schemas';
import { getAttemptStatus } from '../services/verify/get-attempt-status';
import { verifyRecoveryCode } from '../services/verify/verify-recovery-code';
import { verifyTotp } from '../services/verify/verify-totp';
import { verifyWebauthn } from '../services/verify/verify-webauthn';
import { beginWebauthnAuthentication } from '../services/webauthn/begin-webauthn-authentication';
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
  /** Starts a WebAuthn login: options for `navigator.credentials.get` and the challenge id to finish with. */
  webauthnBegin: applicationProcedure
    .input(webauthnBeginInput)
    .output(webauthnBeginOutput)
    .mutation(({ ctx, input, signal }) => beginWebauthnAuthentication({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, signal })),
  /** Finishes it, on any gateway, with the browser's assertion. */
  webauthnFinish: applicationProcedure
    .input(webauthnFinishInput)
    .output(verificationOutput)
    .mutation(({ ctx, input, signal }) =>
      verifyWebauthn({
        deps: ctx.deps,
        application: ctx.application,
        attemptId: input.attemptId,
        externalUserId: input.userId,
        challengeId: input.challengeId,
        response: input.response,
        signal,
      }),
    ),
  /** The recorded outcome of an attempt id. */
  status: applicationProcedure
    .input(statusInput)
    .output(verificationOutput)
    .query(({ ctx, input, signal }) => getAttemptStatus({ deps: ctx.deps, application: ctx.application, attemptId: input.attemptId, signal })),
});
