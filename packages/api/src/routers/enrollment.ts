import { createLinkInput, createLinkOutput, redeemLinkInput, redeemLinkOutput } from '../schemas';
import { createEnrollmentLink } from '../services/enrollment/create-enrollment-link';
import { redeemEnrollmentLink } from '../services/enrollment/redeem-enrollment-link';
import { applicationProcedure, publicProcedure, router } from '../trpc';

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
});
