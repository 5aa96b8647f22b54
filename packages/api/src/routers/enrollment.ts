import { createLinkInput, createLinkOutput, redeemLinkInput, redeemLinkOutput } from '../schemas';
import { createEnrollmentLink } from '../services/enrollment/create-enrollment-link';
import { redeemEnrollmentLink } from '../services/enrollment/redeem-enrollment-link';
import { listOwnFactors, removeOwnFactor, renameOwnFactor } from '../services/enrollment/manage-own-factors';
import { applicationProcedure, enrollmentProcedure, publicProcedure, router } from '../trpc';
import { enrollmentFactorStatus, factorId, factorKind, factorLabel, totpCode } from '@holdfast/validators';
import { z } from 'zod';

export const enrollmentRouter = router({
  /** Relying application: a one-time link for its user to enroll factors. */
  createLink: applicationProcedure
    .input(createLinkInput)
    .output(createLinkOutput)
    .mutation(({ ctx, input }) =>
      createEnrollmentLink({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, ttlSeconds: input.ttlSeconds }),
    ),
  /** End user: exchange the link's token for an enrollment session (once). */
  redeem: publicProcedure
    .input(redeemLinkInput)
    .output(redeemLinkOutput)
    .mutation(async ({ ctx, input }) => {
      const session = await redeemEnrollmentLink({ deps: ctx.deps, token: input.token });
      return { sessionToken: session.sessionToken, expiresAt: session.expiresAt, userId: session.externalUserId };
    }),
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
  renameFactor: enrollmentProcedure
    .input(z.strictObject({ factorId, label: factorLabel }))
    .output(z.strictObject({ factorId: z.string(), label: z.string() }))
    .mutation(({ ctx, input }) => renameOwnFactor({ deps: ctx.deps, enrollment: ctx.enrollment, factorId: input.factorId, label: input.label })),
  /** Removing the last active factor needs `code`: a current code of that factor (fresh verification). */
  removeFactor: enrollmentProcedure
    .input(z.strictObject({ factorId, code: totpCode.optional() }))
    .output(z.strictObject({ factorId: z.string(), status: z.literal('revoked') }))
    .mutation(({ ctx, input }) => removeOwnFactor({ deps: ctx.deps, enrollment: ctx.enrollment, factorId: input.factorId, code: input.code ?? null })),
});
