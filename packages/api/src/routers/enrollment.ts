import {
  createPushPairingOutput,
  createLinkInput,
  createLinkOutput,
  enrollmentSessionOutput,
  inspectLinkOutput,
  redeemLinkInput,
  redeemLinkOutput,
  stepUpOutput,
  stepUpPushBeginOutput,
  stepUpPushStatusInput,
  stepUpPushStatusOutput,
  stepUpRecoveryCodeInput,
  stepUpTotpInput,
  webauthnAuthenticationResponse,
  webauthnBeginOutput,
} from '../schemas';
import { beginStepUpWebauthn } from '../services/enrollment/begin-step-up-webauthn';
import { createEnrollmentLink } from '../services/enrollment/create-enrollment-link';
import { createPushPairing } from '../services/push/create-push-pairing';
import { endEnrollmentSession } from '../services/enrollment/end-enrollment-session';
import { getEnrollmentSession } from '../services/enrollment/get-enrollment-session';
import { inspectEnrollmentLink } from '../services/enrollment/inspect-enrollment-link';
import { redeemEnrollmentLink } from '../services/enrollment/redeem-enrollment-link';
import { stepUpEnrollmentSession } from '../services/enrollment/step-up-enrollment-session';
import { beginStepUpPush, getStepUpPushStatus } from '../services/enrollment/step-up-push';
import { listOwnFactors, removeOwnFactor, renameOwnFactor } from '../services/enrollment/manage-own-factors';
import { applicationProcedure, enrollmentProcedure, publicProcedure, router } from '../trpc';
import { enrollmentFactorStatus, factorId, factorKind, factorLabel, totpCode, webauthnChallengeId } from '@holdfast/validators';
import { z } from 'zod';

export const enrollmentRouter = router({
  /** Relying application: a one-time link for its user to enroll factors. */
  createLink: applicationProcedure
    .input(createLinkInput)
    .output(createLinkOutput)
    .mutation(({ ctx, input }) =>
      createEnrollmentLink({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, ttlSeconds: input.ttlSeconds }),
    ),
  /**
   * End user's browser (the portal's GET page): what redeeming this link would meet, without
   * redeeming it — so fetching a link (mail scanners, previews) changes nothing.
   */
  inspectLink: publicProcedure
    .input(redeemLinkInput)
    .output(inspectLinkOutput)
    .query(({ ctx, input }) => inspectEnrollmentLink({ deps: ctx.deps, token: input.token })),
  /** End user: exchange the link's token for an enrollment session (once). */
  redeem: publicProcedure
    .input(redeemLinkInput)
    .output(redeemLinkOutput)
    .mutation(async ({ ctx, input }) => {
      const session = await redeemEnrollmentLink({ deps: ctx.deps, token: input.token });
      return { sessionToken: session.sessionToken, expiresAt: session.expiresAt, userId: session.externalUserId };
    }),
  /** End user (enrollment session): whether a step-up is needed before changing factors, and with what. */
  session: enrollmentProcedure.output(enrollmentSessionOutput).query(({ ctx }) => getEnrollmentSession({ deps: ctx.deps, enrollment: ctx.enrollment })),
  /** Ends the session (and its link) now. */
  logout: enrollmentProcedure
    .output(z.strictObject({ isEnded: z.literal(true) }))
    .mutation(({ ctx }) => endEnrollmentSession({ deps: ctx.deps, enrollment: ctx.enrollment })),
  /** Step-up with a current code of one of the user's authenticator apps (through the one write path). */
  stepUpTotp: enrollmentProcedure
    .input(stepUpTotpInput)
    .output(stepUpOutput)
    .mutation(({ ctx, input, signal }) =>
      stepUpEnrollmentSession({
        deps: ctx.deps,
        enrollment: ctx.enrollment,
        credential: { kind: 'totp', factorId: input.factorId ?? null, code: input.code },
        signal,
      }),
    ),
  /** Step-up with one of the user's recovery codes (it is used up, like at sign-in). */
  stepUpRecoveryCode: enrollmentProcedure
    .input(stepUpRecoveryCodeInput)
    .output(stepUpOutput)
    .mutation(({ ctx, input, signal }) =>
      stepUpEnrollmentSession({ deps: ctx.deps, enrollment: ctx.enrollment, credential: { kind: 'recovery_codes', code: input.code }, signal }),
    ),
  /** Step-up with a security key or passkey: options for `navigator.credentials.get`. */
  stepUpWebauthnBegin: enrollmentProcedure
    .output(webauthnBeginOutput)
    .mutation(({ ctx, signal }) => beginStepUpWebauthn({ deps: ctx.deps, enrollment: ctx.enrollment, signal })),
  stepUpWebauthnFinish: enrollmentProcedure
    .input(z.strictObject({ challengeId: webauthnChallengeId, response: webauthnAuthenticationResponse }))
    .output(stepUpOutput)
    .mutation(({ ctx, input, signal }) =>
      stepUpEnrollmentSession({
        deps: ctx.deps,
        enrollment: ctx.enrollment,
        credential: { kind: 'webauthn', challengeId: input.challengeId, response: input.response },
        signal,
      }),
    ),
  /** End user (enrollment session): their own factors. */
  factors: enrollmentProcedure
    .output(
      z.strictObject({
        userId: z.string(),
        factors: z.array(
          z.strictObject({
            id: z.string(),
            kind: factorKind,
            label: z.string(),
            status: enrollmentFactorStatus,
            createdAt: z.string(),
            lastUsedAt: z.string().nullable(),
            remainingCodes: z.number().int().nullable(),
            authenticatorName: z.string().nullable(),
          }),
        ),
      }),
    )
    .query(({ ctx }) => listOwnFactors({ deps: ctx.deps, enrollment: ctx.enrollment })),
  /**
   * "Add this phone for push": a one-time pairing link (`<push app>/pair#<token>`, 10 minutes).
   * Needs a step-up (STEP_UP_REQUIRED) when the user has a factor, as any factor addition.
   */
  createPushPairing: enrollmentProcedure
    .output(createPushPairingOutput)
    .mutation(({ ctx }) => createPushPairing({ deps: ctx.deps, enrollment: ctx.enrollment })),
  /** Step-up with a paired phone: a push whose number the portal shows (see stepUpPushStatus). */
  stepUpPushBegin: enrollmentProcedure
    .output(stepUpPushBeginOutput)
    .mutation(({ ctx, signal }) => beginStepUpPush({ deps: ctx.deps, enrollment: ctx.enrollment, signal })),
  /** Waits (≤ waitMs) for the phone's answer; approved → the session is stepped up as of the approval, once. */
  stepUpPushStatus: enrollmentProcedure
    .input(stepUpPushStatusInput)
    .output(stepUpPushStatusOutput)
    .mutation(({ ctx, input, signal }) =>
      getStepUpPushStatus({
        deps: ctx.deps,
        enrollment: ctx.enrollment,
        transactionId: input.transactionId,
        ...(input.waitMs === undefined ? {} : { waitMs: input.waitMs }),
        signal,
        leaveAdmission: ctx.client?.leaveAdmission,
      }),
    ),
  /** Needs a step-up (STEP_UP_REQUIRED) when the user has a factor. */
  renameFactor: enrollmentProcedure
    .input(z.strictObject({ factorId, label: factorLabel }))
    .output(z.strictObject({ factorId: z.string(), label: z.string() }))
    .mutation(({ ctx, input }) => renameOwnFactor({ deps: ctx.deps, enrollment: ctx.enrollment, factorId: input.factorId, label: input.label })),
  /** Needs a step-up (STEP_UP_REQUIRED); removing the last active factor also needs `code`: a current code of that factor. */
  removeFactor: enrollmentProcedure
    .input(z.strictObject({ factorId, code: totpCode.optional() }))
    .output(z.strictObject({ factorId: z.string(), status: z.literal('revoked') }))
    .mutation(({ ctx, input }) => removeOwnFactor({ deps: ctx.deps, enrollment: ctx.enrollment, factorId: input.factorId, code: input.code ?? null })),
});
