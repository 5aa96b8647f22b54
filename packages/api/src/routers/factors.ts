import { externalUserId, factorId } from '@holdfast/validators';
import { z } from 'zod';
import { revokeFactor } from '../services/factors/revoke-factor';
import { unlockFactors } from '../services/factors/unlock-factors';
import { applicationProcedure, router } from '../trpc';

export const factorsRouter = router({
  /** Relying application: revoke one of its user's factors (idempotent). */
  revoke: applicationProcedure
    .input(z.strictObject({ userId: externalUserId, factorId }))
    .output(z.strictObject({ factorId: z.string(), status: z.literal('revoked') }))
    .mutation(({ ctx, input }) => revokeFactor({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, factorId: input.factorId })),
  /**
   * Relying application, after re-proving who the user is: end the lockout (also a permanent one)
   * of one factor, or of every factor when `factorId` is left out, and of the account. Audited.
   */
  unlock: applicationProcedure
    .input(z.strictObject({ userId: externalUserId, factorId: factorId.optional() }))
    .output(z.strictObject({ unlockedFactorIds: z.array(z.string()), accountUnlocked: z.boolean() }))
    .mutation(({ ctx, input, signal }) =>
      unlockFactors({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, factorId: input.factorId ?? null, signal }),
    ),
});
