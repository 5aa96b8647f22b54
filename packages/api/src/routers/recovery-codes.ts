import { z } from 'zod';
import { generateRecoveryCodesOutput } from '../schemas';
import { generateRecoveryCodeSet } from '../services/recovery/generate-recovery-codes';
import { enrollmentProcedure, router } from '../trpc';

export const recoveryCodesRouter = router({
  /** A new set of 10 codes, shown once; any previous set stops working. Needs a step-up once the user has a factor. */
  generate: enrollmentProcedure
    .input(z.strictObject({}).optional())
    .output(generateRecoveryCodesOutput)
    .mutation(({ ctx }) => generateRecoveryCodeSet({ deps: ctx.deps, enrollment: ctx.enrollment })),
});
