import { beginTotpInput, beginTotpOutput, confirmTotpInput, confirmTotpOutput } from '../schemas';
import { beginTotpEnrollment } from '../services/totp/begin-totp-enrollment';
import { confirmTotpEnrollment } from '../services/totp/confirm-totp-enrollment';
import { enrollmentProcedure, router } from '../trpc';

export const totpRouter = router({
  beginEnrollment: enrollmentProcedure
    .input(beginTotpInput)
    .output(beginTotpOutput)
    .mutation(({ ctx, input }) =>
      beginTotpEnrollment({
        deps: ctx.deps,
        enrollment: ctx.enrollment,
        label: input.label,
        params: { algorithm: input.algorithm, digits: input.digits, period: input.period },
      }),
    ),
  confirmEnrollment: enrollmentProcedure
    .input(confirmTotpInput)
    .output(confirmTotpOutput)
    .mutation(({ ctx, input }) => confirmTotpEnrollment({ deps: ctx.deps, enrollment: ctx.enrollment, factorId: input.factorId, code: input.code })),
});
