import { externalUserId, factorId } from '@holdfast/validators';
import { z } from 'zod';
import { revokeFactor } from '../services/factors/revoke-factor';
import { applicationProcedure, router } from '../trpc';

export const factorsRouter = router({
  /** Relying application: revoke one of its user's factors (idempotent). */
  revoke: applicationProcedure
    .input(z.strictObject({ userId: externalUserId, factorId }))
    .output(z.strictObject({ factorId: z.string(), status: z.literal('revoked') }))
    .mutation(({ ctx, input }) => revokeFactor({ deps: ctx.deps, application: ctx.application, externalUserId: input.userId, factorId: input.factorId })),
});
