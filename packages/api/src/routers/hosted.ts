import {
  createTransactionInput,
  createTransactionOutput,
  getTransactionOutput,
  hostedOutcomeOutput,
  hostedPushBeginOutput,
  hostedPushStatusInput,
  hostedPushStatusOutput,
  hostedTokenInput,
  hostedVerifyRecoveryCodeInput,
  hostedVerifyTotpInput,
  hostedWebauthnFinishInput,
  redeemResultInput,
  redeemResultOutput,
  webauthnBeginOutput,
} from '../schemas';
import { beginHostedPush } from '../services/hosted/begin-hosted-push';
import { beginHostedWebauthn } from '../services/hosted/begin-hosted-webauthn';
import { createVerificationTransaction } from '../services/hosted/create-verification-transaction';
import { getHostedPushStatus } from '../services/hosted/get-hosted-push-status';
import { getVerificationTransaction } from '../services/hosted/get-verification-transaction';
import { redeemVerificationResult } from '../services/hosted/redeem-verification-result';
import { verifyHostedTransaction } from '../services/hosted/verify-hosted-transaction';
import { verifyRecoveryCode } from '../services/verify/verify-recovery-code';
import { verifyTotp } from '../services/verify/verify-totp';
import { verifyWebauthn } from '../services/verify/verify-webauthn';
import { applicationProcedure, publicProcedure, router } from '../trpc';

/** The hosted verification page (`/verify/<token>`): the application creates and redeems; the page, holding the token, verifies. */
export const hostedRouter = router({
  /** Relying application: a transaction whose page URL to send the user to. */
  createTransaction: applicationProcedure
    .input(createTransactionInput)
    .output(createTransactionOutput)
    .mutation(({ ctx, input }) =>
      createVerificationTransaction({
        deps: ctx.deps,
        application: ctx.application,
        externalUserId: input.userId,
        callbackUrl: input.callbackUrl,
        state: input.state,
        ...(input.allowedFactorKinds === undefined ? {} : { allowedFactorKinds: input.allowedFactorKinds }),
      }),
    ),
  /** Page: the application's name and the user's kinds of factor that this transaction allows. */
  getTransaction: publicProcedure
    .input(hostedTokenInput)
    .output(getTransactionOutput)
    .query(({ ctx, input, signal }) => getVerificationTransaction({ deps: ctx.deps, token: input.token, signal })),
  verifyTotp: publicProcedure
    .input(hostedVerifyTotpInput)
    .output(hostedOutcomeOutput)
    .mutation(({ ctx, input, signal }) =>
      verifyHostedTransaction({
        deps: ctx.deps,
        token: input.token,
        kind: 'totp',
        signal,
        verify: ({ application, attemptId, externalUserId }) =>
          verifyTotp({ deps: ctx.deps, application, attemptId, externalUserId, factorId: null, code: input.code, signal }),
      }),
    ),
  verifyRecoveryCode: publicProcedure
    .input(hostedVerifyRecoveryCodeInput)
    .output(hostedOutcomeOutput)
    .mutation(({ ctx, input, signal }) =>
      verifyHostedTransaction({
        deps: ctx.deps,
        token: input.token,
        kind: 'recovery_codes',
        signal,
        verify: ({ application, attemptId, externalUserId }) =>
          verifyRecoveryCode({ deps: ctx.deps, application, attemptId, externalUserId, code: input.code, signal }),
      }),
    ),
  webauthnBegin: publicProcedure
    .input(hostedTokenInput)
    .output(webauthnBeginOutput)
    .mutation(({ ctx, input, signal }) => beginHostedWebauthn({ deps: ctx.deps, token: input.token, signal })),
  webauthnFinish: publicProcedure
    .input(hostedWebauthnFinishInput)
    .output(hostedOutcomeOutput)
    .mutation(({ ctx, input, signal }) =>
      verifyHostedTransaction({
        deps: ctx.deps,
        token: input.token,
        kind: 'webauthn',
        signal,
        verify: ({ application, attemptId, externalUserId }) =>
          verifyWebauthn({ deps: ctx.deps, application, attemptId, externalUserId, challengeId: input.challengeId, response: input.response, signal }),
      }),
    ),
  /** Page: "Approve on your phone" — a push to the user's devices; the page shows the number to type there. */
  pushBegin: publicProcedure
    .input(hostedTokenInput)
    .output(hostedPushBeginOutput)
    .mutation(({ ctx, input, signal }) => beginHostedPush({ deps: ctx.deps, token: input.token, signal })),
  /** Page: waits (≤ waitMs) for the phone's answer; approved → the transaction completes once and the outcome carries the redirect. */
  pushStatus: publicProcedure
    .input(hostedPushStatusInput)
    .output(hostedPushStatusOutput)
    .mutation(({ ctx, input, signal }) =>
      getHostedPushStatus({
        deps: ctx.deps,
        token: input.token,
        transactionId: input.transactionId,
        ...(input.waitMs === undefined ? {} : { waitMs: input.waitMs }),
        signal,
        leaveAdmission: ctx.client?.leaveAdmission,
      }),
    ),
  /** Relying application (server to server): exchange the code its callback received for the result, once, for the user it expects. */
  redeemResult: applicationProcedure
    .input(redeemResultInput)
    .output(redeemResultOutput)
    .mutation(({ ctx, input }) => redeemVerificationResult({ deps: ctx.deps, application: ctx.application, code: input.code, externalUserId: input.userId })),
});
