import {
  pushBeginInput,
  pushBeginOutput,
  pushStatusInput,
  pushStatusOutput,
  statusInput,
  verificationOutput,
  verifyBypassCodeInput,
  verifyRecoveryCodeInput,
  verifyTotpInput,
  webauthnBeginInput,
  webauthnBeginOutput,
  webauthnFinishInput,
} from '../schemas';
import { beginPush } from '../services/push/begin-push';
import { getPushStatus } from '../services/push/get-push-status';
import { getAttemptStatus } from '../services/verify/get-attempt-status';
import { verifyBypassCode } from '../services/verify/verify-bypass-code';
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
  /** A one-time bypass code an admin issued the user (admin.bypass.issue): works once, until it expires. */
  bypassCode: applicationProcedure
    .input(verifyBypassCodeInput)
    .output(verificationOutput)
    .mutation(({ ctx, input, signal }) =>
      verifyBypassCode({ deps: ctx.deps, application: ctx.application, attemptId: input.attemptId, externalUserId: input.userId, code: input.code, signal }),
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
  /** Push approval: a push to the user's paired devices and the number for the login screen (same attempt id → same transaction). */
  pushBegin: applicationProcedure
    .input(pushBeginInput)
    .output(pushBeginOutput)
    .mutation(({ ctx, input, signal }) =>
      beginPush({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, attemptId: input.attemptId, context: input.context, signal }),
    ),
  /** A push transaction's status, on any gateway; with waitMs, a long-poll that answers when it is decided. */
  pushStatus: applicationProcedure
    .input(pushStatusInput)
    .output(pushStatusOutput)
    .query(({ ctx, input, signal }) =>
      getPushStatus({
        deps: ctx.deps,
        application: ctx.application,
        transactionId: input.transactionId,
        attemptId: input.attemptId,
        waitMs: input.waitMs,
        signal,
        leaveAdmission: ctx.client?.leaveAdmission,
      }),
    ),
});
